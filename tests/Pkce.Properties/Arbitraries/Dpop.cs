namespace Pkce.Properties.Arbitraries;

/// <summary>
/// DPoP inputs: keys of each algorithm, request targets written every way a caller may write them (upper-case
/// scheme and host, default and other ports, user info, queries and fragments full of '?' and '#'), methods,
/// access tokens and §8.1 nonces.
/// </summary>
internal static class Dpop
{
    public static readonly string[] Algorithms = ["ES256", "RS256", "PS256"];

    /// <summary>Made once: an RSA key takes a while to generate, and every property signs with these.</summary>
    public static readonly DpopKey[] Keys = [.. Algorithms.Select(a => Support.Right(DpopKey.Generate(a))), Support.Right(DpopKey.Generate("ES256"))];

    public static Gen<DpopKey> AnyKey => Gen.Elements(Keys);

    /// <summary>The usual methods and any other RFC 9110 token (methods are case-sensitive).</summary>
    public static Gen<string> Methods => Gen.Frequency(
        (4, Gen.Elements("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")),
        (1, Chars.StringOf(Gen.Elements("abcXYZ019!#$%&'*+-.^_`|~".ToCharArray()), 1, 10)));

    /// <summary>RFC 6750 §2.1 b64token: <c>1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="</c>.</summary>
    public static Gen<string> AccessTokens =>
        from body in Chars.StringOf(Gen.Elements("ABCXYZabcxyz0189-._~+/".ToCharArray()), 1, 80)
        from padding in Gen.Choose(0, 2)
        select body + new string('=', padding);

    /// <summary>RFC 9449 §8.1 NQCHAR: <c>%x21 / %x23-5B / %x5D-7E</c>.</summary>
    public static Gen<char> NqChar => Gen.Choose(0x21, 0x7E).Select(i => (char)i).Where(c => c is not ('"' or '\\'));

    public static Gen<string> Nonces => Chars.StringOf(NqChar, 1, 60);

    public static Gen<Option<string>> Optional(Gen<string> values) => Gen.Frequency((1, Gen.Constant(Option<string>.None)), (2, values.Select(Some)));

    /// <summary>
    /// A request target and the <c>htu</c> it must give: scheme and host lowercased, the port only when not the
    /// scheme's default, the path as written, no user info, query or fragment.
    /// </summary>
    public sealed record Target(Uri Uri, string ExpectedHtu, string ExpectedOrigin)
    {
        public override string ToString() => $"{Uri.OriginalString} (htu {ExpectedHtu})";
    }

    private static Gen<string> AnyCase(string text) =>
        Gen.ArrayOf(Gen.Elements(true, false), text.Length).Select(upper => new string(text.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : c).ToArray()));

    private static Gen<string> Label =>
        from first in Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789".ToCharArray())
        from rest in Chars.StringOf(Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789-".ToCharArray()), 0, 10)
        select first + rest.TrimEnd('-');

    /// <summary>Lowercase hosts: DNS names, IPv4 literals and localhost.</summary>
    private static Gen<string> Hosts => Gen.Frequency(
        (6, Label.ListOf().Select(labels => labels.Count == 0 ? "as.example" : string.Join(".", labels) + ".example")),
        (1, Gen.Elements("127.0.0.1", "10.1.2.3", "localhost", "192.168.0.254")));

    /// <summary>Path segments of characters <see cref="Uri"/> keeps as written (no percent escapes, no dot segments).</summary>
    private static Gen<string> Paths =>
        Chars.StringOf(Gen.Elements((Chars.Unreserved + "!$&'()*+,;=:@").ToCharArray()), 0, 12)
            .Where(segment => segment is not ("." or ".."))
            .ListOf()
            .Select(segments => string.Concat(segments.Select(s => "/" + s)));

    private static Gen<string> QueryOrFragment => Chars.StringOf(Gen.Frequency(
        (3, Gen.Elements('?', '#', '/', '=', '&', ' ', '%')),
        (5, Gen.Elements(Chars.Unreserved.ToCharArray()))), 0, 20);

    public static Gen<Target> Targets =>
        from scheme in Gen.Elements("http", "https")
        from writtenScheme in AnyCase(scheme)
        from host in Hosts
        from writtenHost in AnyCase(host)
        from port in Gen.Frequency(
            (2, Gen.Constant(-1)),
            (1, Gen.Constant(scheme == "https" ? 443 : 80)),
            (2, Gen.Choose(1, 65535)))
        from userInfo in Gen.Elements("", "", "", "user@", "User:Secret@")
        from path in Paths
        from query in Gen.Frequency((1, Gen.Constant<string?>(null)), (2, QueryOrFragment.Select(q => (string?)q)))
        from fragment in Gen.Frequency((1, Gen.Constant<string?>(null)), (2, QueryOrFragment.Select(f => (string?)f)))
        let written = $"{writtenScheme}://{userInfo}{writtenHost}{(port < 0 ? "" : ":" + port)}{path}{(query is null ? "" : "?" + query)}{(fragment is null ? "" : "#" + fragment)}"
        let origin = $"{scheme}://{host}{(port < 0 || port == (scheme == "https" ? 443 : 80) ? "" : ":" + port)}"
        select new Target(new Uri(written), origin + (path.Length == 0 ? "/" : path), origin);
}
