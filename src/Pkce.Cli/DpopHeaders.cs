using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>
/// The one request a DPoP proof is made for (<c>pkce token --header --method METHOD --url URL [--dpop-nonce NONCE]</c>):
/// a proof names its request's method and URI (RFC 9449 §4.2 <c>htm</c>, <c>htu</c>), so it is made per request.
/// </summary>
/// <param name="Method">The HTTP method, exactly as the request will send it (<c>htm</c>).</param>
/// <param name="Url">The request's URL; the proof's <c>htu</c> is it without query and fragment.</param>
/// <param name="Nonce">The resource server's <c>DPoP-Nonce</c> to put in the proof (§9), if given.</param>
public sealed record ProofRequest(string Method, Uri Url, Option<string> Nonce)
{
    /// <summary>
    /// The request that the options describe, or why they do not describe one. The method is an RFC 9110 §9.1 token;
    /// the URL is an absolute http or https URL of visible ASCII only (no space, control character or raw non-ASCII
    /// byte: such a URL is not what a client sends, and the proof must name what is sent) and without user
    /// information (a <c>user:password@</c> part is not in <c>htu</c>, and its credentials would go beside the token);
    /// the nonce has RFC 9449 §8.1's syntax (<c>1*NQCHAR</c>), so nothing else reaches the proof.
    /// </summary>
    public static (ProofRequest? Request, IReadOnlyList<string> Problems) From(string method, string url, string? nonce)
    {
        var problems = new List<string>();
        if (method.Length is 0 or > 32 || !method.All(IsTchar))
            problems.Add($"--method '{ServerText.Printable(method)}' is not an HTTP method (RFC 9110 token, at most 32 characters)");
        Uri? uri = null;
        if (url.Length is 0 or > 8192 || url.Any(c => c is < '\x21' or > '\x7E'))
            problems.Add("--url holds a space, a control character or a non-ASCII character (percent-encode them), or is empty or too long");
        else if (!Uri.TryCreate(url, UriKind.Absolute, out uri) || uri.Scheme is not ("https" or "http") || uri.Host.Length == 0)
            problems.Add($"--url '{url}' is not an absolute http or https URL");
        else if (uri.UserInfo.Length > 0 || Authority(url).Contains('@'))
            problems.Add("--url must not carry user information (user:password@): it is not part of the proof's htu, and its credentials would be sent beside the token");
        if (nonce is not null && !DpopNonces.IsNonce(nonce))
            problems.Add("--dpop-nonce is not a DPoP nonce (RFC 9449 §8.1: 1 to 1024 visible ASCII characters, no '\"' or '\\')");
        return problems.Count == 0 && uri is not null ? (new ProofRequest(method, uri, Optional(nonce)), []) : (null, problems);
    }

    /// <summary>RFC 3986 §3.2: the authority is what follows <c>//</c> up to the next <c>/</c>, <c>?</c> or <c>#</c>.</summary>
    private static string Authority(string url)
    {
        var start = url.IndexOf("//", StringComparison.Ordinal) + 2;
        var end = url.IndexOfAny(['/', '?', '#', '\\'], start);
        return start < 2 ? "" : url[start..(end < 0 ? url.Length : end)];
    }

    private static bool IsTchar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}

/// <summary>
/// <c>pkce token --header</c> for a profile whose tokens are DPoP-bound: exactly two lines, <c>Authorization: DPoP
/// TOKEN</c> and <c>DPoP: PROOF</c> (RFC 9449 §7.1), the proof fresh for <see cref="ProofRequest"/> with the
/// token's hash (<c>ath</c>). The key signs the proof and is never printed.
/// </summary>
public static class DpopHeaders
{
    /// <summary>Writes the two lines; false (and nothing printed) when the token cannot be printed raw (see <see cref="TokenOutput.Write"/>).</summary>
    public static bool Write(Terminal terminal, TokenSet tokens, DpopKey key, ProofRequest request, RandomBytes random, TimeProvider clock)
    {
        if (!TokenOutput.IsPrintable(tokens.AccessToken))
        {
            terminal.Say("the access token holds characters outside visible ASCII (RFC 6750 §2.1 b64token); it is not printed");
            return false;
        }
        var proof = DpopProof.Create(key, request.Method, request.Url, clock.GetUtcNow(), DpopProof.NewJti(random), request.Nonce, Some(tokens.AccessToken));
        terminal.Out.WriteLine($"Authorization: {WireNames.Dpop} {tokens.AccessToken}");
        terminal.Out.WriteLine($"DPoP: {proof}");
        return true;
    }
}
