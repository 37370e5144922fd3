using System.Net;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// Reading and writing <c>application/x-www-form-urlencoded</c> query components, as used by the authorization
/// request (RFC 6749 §4.1.1, Appendix B) and the callback (§4.1.2).
/// </summary>
public static class QueryString
{
    /// <summary>
    /// Percent-encodes a name or value: everything but RFC 3986 unreserved characters becomes UTF-8 octets as
    /// <c>%XX</c>. Refuses text that is not valid UTF-16 (a lone surrogate has no UTF-8 form).
    /// </summary>
    public static Either<PkceError, string> Encode(string value) =>
        IsWellFormed(value)
            ? Right<PkceError, string>(Uri.EscapeDataString(value))
            : Left<PkceError, string>(new PkceError.InvalidValue("query parameter", "contains a lone UTF-16 surrogate"));

    /// <summary>
    /// RFC 6749 Appendix B form encoding, as used for the Basic credentials of §2.3.1: like <see cref="Encode"/>
    /// with spaces as <c>+</c>.
    /// </summary>
    public static Either<PkceError, string> FormEncode(string value) => Encode(value).Map(e => e.Replace("%20", "+"));

    /// <summary>
    /// Splits a query (with or without the leading <c>?</c>) into decoded name/value pairs in order.
    /// <c>+</c> decodes to a space; malformed percent sequences are kept literally;
    /// a pair without <c>=</c> has an empty value; empty pairs (<c>a=1&amp;&amp;b=2</c>) are skipped.
    /// </summary>
    public static Seq<QueryParameter> Parse(string query)
    {
        var span = query.AsSpan();
        if (span.StartsWith("?")) span = span[1..];
        var result = new List<QueryParameter>();
        foreach (var range in span.Split('&'))
        {
            var pair = span[range];
            if (pair.IsEmpty) continue;
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? ReadOnlySpan<char>.Empty : pair[(eq + 1)..];
            result.Add(new QueryParameter(Decode(name), Decode(value)));
        }
        return toSeq(result);
    }

    /// <summary>
    /// Like <see cref="Parse"/>, and refuses any name that appears more than once: RFC 6749 §3.1 "Request and
    /// response parameters MUST NOT be included more than once."
    /// </summary>
    public static Either<PkceError, HashMap<string, string>> ParseUnique(string query)
    {
        var map = HashMap<string, string>();
        foreach (var p in Parse(query))
        {
            if (map.ContainsKey(p.Name))
                return Left<PkceError, HashMap<string, string>>(new PkceError.MalformedCallback($"parameter '{ServerText.Printable(p.Name)}' appears more than once"));
            map = map.Add(p.Name, p.Value);
        }
        return map;
    }

    /// <summary>
    /// Percent-decodes one name or value, with <c>+</c> as space; octets that are not UTF-8 become U+FFFD.
    /// </summary>
    public static string Decode(ReadOnlySpan<char> encoded) => WebUtility.UrlDecode(encoded.ToString());

    /// <summary>Whether the text is valid UTF-16 (no lone surrogate), so that it has a UTF-8 form to percent-encode.</summary>
    public static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (!char.IsSurrogate(value[i])) continue;
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else return false;
        }
        return true;
    }

}

/// <summary>
/// One decoded query or form parameter. Prints its name only (through <see cref="ServerText.Printable"/>: a callback's
/// names come from outside) and every value as <see cref="Redaction.Mark"/>, whatever the name: the values of
/// <c>code</c>, <c>code_verifier</c>, <c>client_secret</c>, <c>refresh_token</c> and a caller's extras are secrets, and
/// a printed list of parameters (a <see cref="Http.FormPost"/>'s <c>Form</c>, a parsed callback) must not tell which.
/// </summary>
/// <param name="Name">The decoded name.</param>
/// <param name="Value">The decoded value (printed as <see cref="Redaction.Mark"/>).</param>
public sealed record QueryParameter(string Name, string Value)
{
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Name = ").Append(ServerText.Printable(Name)).Append(", Value = ").Append(Redaction.Mark);
        return true;
    }
}
