using System.Text;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header (RFC 9110 §11.6.1).</summary>
/// <param name="Scheme">The auth-scheme, as sent (compare it case-insensitively).</param>
/// <param name="Parameters">The auth-params, names lowercased (they are case-insensitive), values unquoted.</param>
/// <param name="Token68">The token68 form, when the challenge has one instead of parameters.</param>
public sealed record AuthChallenge(string Scheme, HashMap<string, string> Parameters, Option<string> Token68);

/// <summary>
/// Reads <c>WWW-Authenticate</c> headers (RFC 9110 §11.2: <c>challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]</c>,
/// <c>auth-param = token BWS "=" BWS ( token / quoted-string )</c>; several challenges in one header, separated by
/// commas). Never throws: what cannot be read ends the list, and what was read before it is kept.
/// </summary>
public static class WwwAuthenticate
{
    /// <summary>The challenges of every header value, in order.</summary>
    public static Seq<AuthChallenge> Parse(IEnumerable<string> values) => values.Aggregate(Seq<AuthChallenge>(), (all, value) => all + Parse(value));

    /// <summary>The challenges of one header value, in order.</summary>
    public static Seq<AuthChallenge> Parse(string? value)
    {
        var challenges = new List<AuthChallenge>();
        var text = value ?? "";
        var i = 0;
        while (true)
        {
            SkipListSeparators(text, ref i);
            var scheme = Token(text, ref i);
            if (scheme.Length == 0) break;
            var parameters = HashMap<string, string>();
            Option<string> token68 = None;
            var spaces = Spaces(text, ref i);
            if (spaces > 0 && Token68(text, i) is { } t68)
            {
                token68 = t68;
                i += t68.Length;
            }
            else if (spaces > 0)
            {
                while (true)
                {
                    var mark = i;
                    SkipListSeparators(text, ref i);
                    var name = Token(text, ref i);
                    Spaces(text, ref i);
                    if (name.Length == 0 || i >= text.Length || text[i] != '=')
                    {
                        i = mark; // not a parameter: the next challenge starts here
                        break;
                    }
                    i++;
                    Spaces(text, ref i);
                    var parameter = text.Length > i && text[i] == '"' ? Quoted(text, ref i) : Token(text, ref i);
                    if (parameter is null) return Read(challenges, new AuthChallenge(scheme, parameters, None));
                    parameters = parameters.AddOrUpdate(name.ToLowerInvariant(), parameter);
                    Spaces(text, ref i);
                    if (i < text.Length && text[i] != ',') return Read(challenges, new AuthChallenge(scheme, parameters, None));
                }
            }
            challenges.Add(new AuthChallenge(scheme, parameters, token68));
            Spaces(text, ref i);
            if (i < text.Length && text[i] != ',') break;
        }
        return toSeq(challenges.ToArray());
    }

    // Not a collection expression: Seq<T> is a struct whose Add returns a new Seq, so `[.. challenges]` makes an empty one.
    private static Seq<AuthChallenge> Read(List<AuthChallenge> challenges, AuthChallenge last)
    {
        challenges.Add(last);
        return toSeq(challenges.ToArray());
    }

    /// <summary>RFC 9449 §9: a <c>DPoP</c> challenge with <c>error="use_dpop_nonce"</c> asks for the request again with the server's nonce.</summary>
    public static bool AsksForDpopNonce(Seq<AuthChallenge> challenges) =>
        challenges.Exists(c => string.Equals(c.Scheme, "DPoP", StringComparison.OrdinalIgnoreCase)
            && c.Parameters.Find("error").Exists(e => e == "use_dpop_nonce"));

    private static void SkipListSeparators(string text, ref int i)
    {
        while (i < text.Length && (text[i] is ' ' or '\t' or ',')) i++;
    }

    private static int Spaces(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && (text[i] is ' ' or '\t')) i++;
        return i - start;
    }

    /// <summary>RFC 9110 §5.6.2 token: <c>1*tchar</c>.</summary>
    private static string Token(string text, ref int i)
    {
        var start = i;
        while (i < text.Length && IsTchar(text[i])) i++;
        return text[start..i];
    }

    /// <summary>§11.2 token68 (<c>1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="</c>) when it stands alone: followed by the end or a comma.</summary>
    private static string? Token68(string text, int i)
    {
        var j = i;
        while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] is '-' or '.' or '_' or '~' or '+' or '/')) j++;
        if (j == i) return null;
        while (j < text.Length && text[j] == '=') j++;
        var end = j;
        while (end < text.Length && text[end] is ' ' or '\t') end++;
        // A token68 is followed by the end or a comma: "a=b" is a parameter, not a token68 followed by "b".
        return end == text.Length || text[end] == ',' ? text[i..j] : null;
    }

    /// <summary>§5.6.4 quoted-string, with quoted-pairs; null when it does not close.</summary>
    private static string? Quoted(string text, ref int i)
    {
        var value = new StringBuilder();
        for (i++; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                i++;
                return value.ToString();
            }
            if (c == '\\')
            {
                if (++i >= text.Length) return null;
                c = text[i];
            }
            value.Append(c);
        }
        return null;
    }

    private static bool IsTchar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
