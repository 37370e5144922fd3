using System.Text;

namespace Pkce.Properties.Arbitraries;

/// <summary>
/// <c>WWW-Authenticate</c> challenges (RFC 9110 §11.2) as a model and as the text a server sends: schemes and
/// parameter names of any tchar, values as tokens or as quoted-strings full of quotes, backslashes, commas and
/// equals signs, token68 forms, and the optional whitespace the grammar allows around each separator.
/// </summary>
internal static class Challenges
{
    public const string Tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const string Token68Chars = "-._~+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A parameter: its name as sent, its value, and whether it is sent as a quoted-string.</summary>
    public sealed record Param(string Name, string Value, bool Quoted);

    /// <summary>A challenge: parameters or a token68, never both.</summary>
    public sealed record Model(string Scheme, Param[] Params, string? Token68)
    {
        /// <summary>What <see cref="WwwAuthenticate.Parse(string)"/> must give: names lowercased, values unquoted.</summary>
        public string Expected => Show(Scheme, Params.Select(p => (p.Name.ToLowerInvariant(), p.Value)), Token68);

        public override string ToString() => this.Render(Layout.Canonical);
    }

    /// <summary>The whitespace around separators: the canonical form (<c>", "</c>, <c>"="</c>) or another the grammar allows.</summary>
    public sealed record Layout(string AfterScheme, string Comma, string Assign)
    {
        public static readonly Layout Canonical = new(" ", ", ", "=");
    }

    public static string Show(string scheme, IEnumerable<(string Name, string Value)> parameters, string? token68) =>
        $"{scheme} [{string.Join("; ", parameters.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => $"{p.Name}={p.Value}"))}]" + (token68 is null ? "" : " token68=" + token68);

    public static string Show(AuthChallenge challenge) =>
        Show(challenge.Scheme, challenge.Parameters.Select(p => (p.Key, p.Value)), challenge.Token68.MatchUnsafe(t => t, () => null));

    /// <summary>RFC 9110 §5.6.4: a quoted-string, with '"' and '\' as quoted-pairs.</summary>
    public static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string Render(this Model challenge, Layout layout) =>
        challenge.Token68 is { } token68 ? challenge.Scheme + layout.AfterScheme + token68
        : challenge.Params.Length == 0 ? challenge.Scheme
        : challenge.Scheme + layout.AfterScheme + string.Join(layout.Comma, challenge.Params.Select(p => p.Name + layout.Assign + (p.Quoted ? Quote(p.Value) : p.Value)));

    public static string Render(this IEnumerable<Model> challenges, Layout layout) => string.Join(layout.Comma, challenges.Select(c => c.Render(layout)));

    private static Gen<string> Token(int max) => Chars.StringOf(Gen.Elements(Tchars.ToCharArray()), 1, max);

    private static Gen<string> AnyCase(Gen<string> words) =>
        words.SelectMany(word => Gen.ArrayOf(Gen.Elements(true, false), word.Length)
            .Select(upper => new string(word.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c)).ToArray())));

    public static Gen<string> Schemes => Gen.Frequency((2, Gen.Elements("DPoP", "Bearer", "Basic", "Digest", "Newauth")), (3, Token(10)));

    private static Gen<string> Names => AnyCase(Gen.Frequency((2, Gen.Elements("realm", "error", "error_description", "algs", "scope", "charset")), (3, Token(10))));

    /// <summary>RFC 9110 §5.6.4 qdtext and quoted-pair content: tab, space, visible ASCII and obs-text.</summary>
    private static Gen<char> QuotedChar => Gen.Frequency(
        (4, Gen.Elements('"', '\\', ',', '=', ' ', '\t', ';')),
        (6, Chars.VsChar),
        (1, Gen.Choose(0x80, 0xFF).Select(i => (char)i)));

    private static Gen<Param> Params =>
        from name in Names
        from quoted in Gen.Elements(true, false)
        from value in quoted ? Chars.StringOf(QuotedChar, 0, 30) : Token(20)
        select new Param(name, value, quoted);

    private static Gen<string> Token68s =>
        from body in Chars.StringOf(Gen.Elements(Token68Chars.ToCharArray()), 1, 30)
        from padding in Gen.Choose(0, 2)
        select body + new string('=', padding);

    public static Gen<Model> One =>
        from scheme in Schemes
        from form in Gen.Frequency((4, Gen.Constant("params")), (1, Gen.Constant("token68")))
        from count in Gen.Choose(0, 4)
        from parameters in Params.ArrayOf(count)
        from token68 in Token68s
        select form == "token68"
            ? new Model(scheme, [], token68)
            : new Model(scheme, [.. parameters.DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase)], null);

    public static Gen<Model[]> Many => Gen.Choose(1, 4).SelectMany(n => One.ArrayOf(n));

    /// <summary>RFC 9110 §5.6.1 list separators (OWS "," OWS), §11.2's 1*SP after the scheme and BWS around "=".</summary>
    public static Gen<Layout> Layouts =>
        from afterScheme in Gen.Elements(" ", "  ", "   ")
        from comma in Gen.Elements(",", ", ", " ,", " , ", ",\t", "\t,  ")
        from assign in Gen.Elements("=", " =", "= ", " \t= ")
        select new Layout(afterScheme, comma, assign);

    /// <summary>Anything, weighted towards what the grammar cares about: separators, quotes, escapes, controls.</summary>
    public static Gen<string> Noise => Chars.StringOf(Gen.Frequency(
        (6, Gen.Elements(Tchars.ToCharArray())),
        (4, Gen.Elements('"', '\\', ',', '=', ' ', '\t', '/', ';')),
        (1, Gen.Elements('\0', '\r', '\n', '\x7F', '\x1B', 'é', '\uFFFD', '\uD800')),
        (1, Chars.AnyChar)), 0, 60);
}
