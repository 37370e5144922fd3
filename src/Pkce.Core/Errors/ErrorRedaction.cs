using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// Takes the secrets a request carried out of what the server said back. A server may echo a refresh token, a code
/// or a client secret in <c>error_description</c> or an error page; the client knows what it sent and removes it, so
/// an error's message and fields stay safe to log.
/// </summary>
public static class ErrorRedaction
{
    /// <summary>Secrets shorter than this are not searched for (they could match ordinary words).</summary>
    public const int MinimumLength = 8;

    /// <summary>
    /// The error of a request without what the request carried: its form's secrets (<see cref="FormPost.Secrets"/>),
    /// the client secret, and the credentials of the <c>Authorization</c> header (<c>client_secret_basic</c>'s id
    /// and secret in base64, the secret in another form).
    /// </summary>
    public static PkceError WithoutSent(PkceError error, PkceConfig config, FormPost post) =>
        Without(error, post.Secrets + config.Client.Secret.Map(s => s.Value).ToSeq() + post.Authorization.Map(Credentials).ToSeq());

    /// <summary>
    /// The error with every occurrence of each of <paramref name="secrets"/> replaced by <see cref="Redaction.Mark"/>,
    /// as sent and percent-encoded (a <c>Location</c> carries them so). A body excerpt is cut to its first characters
    /// before it gets here, so a secret it ends in the middle of is removed too.
    /// </summary>
    public static PkceError Without(PkceError error, Seq<string> secrets)
    {
        var sensitive = secrets.Filter(s => s.Length >= MinimumLength).Bind(s => Seq(s, Uri.EscapeDataString(s))).Distinct().Strict();
        if (sensitive.IsEmpty) return error;
        string Clean(string text) => sensitive.Fold(text, (t, s) => t.Replace(s, Redaction.Mark, StringComparison.Ordinal));
        string CleanExcerpt(string text) => WithoutCutSecret(Clean(text), sensitive);
        return error switch
        {
            PkceError.EndpointError e => new PkceError.EndpointError(e.Endpoint, e.Status, Clean(e.Error), e.ErrorDescription.Map(Clean), e.ErrorUri.Map(Clean)),
            PkceError.UnexpectedResponse e => new PkceError.UnexpectedResponse(e.Endpoint, e.Status, e.ContentType.Map(Clean), Clean(e.Reason), e.BodyExcerpt.Map(CleanExcerpt)),
            PkceError.TransportFailure e => new PkceError.TransportFailure(e.Endpoint, Clean(e.Reason)),
            PkceError.RedirectRefused e => new PkceError.RedirectRefused(e.Endpoint, e.Location.Map(Clean)),
            PkceError.UnsupportedTokenType e => new PkceError.UnsupportedTokenType(e.TokenType.Map(Clean)),
            _ => error,
        };
    }

    /// <summary>The credentials of an <c>Authorization</c> header value: what follows its scheme.</summary>
    private static string Credentials(string header) => header[(header.IndexOf(' ') + 1)..];

    /// <summary>
    /// <paramref name="text"/> without a secret it ends with only the start of (at least <see cref="MinimumLength"/>
    /// characters, before the "..." that marks a cut).
    /// </summary>
    private static string WithoutCutSecret(string text, Seq<string> secrets)
    {
        var cut = text.EndsWith("...", StringComparison.Ordinal) ? text[..^3] : text;
        foreach (var secret in secrets)
        {
            var head = secret[..MinimumLength];
            for (var at = cut.IndexOf(head, StringComparison.Ordinal); at >= 0;
                 at = cut.IndexOf(head, at + 1, StringComparison.Ordinal))
                if (secret.AsSpan().StartsWith(cut.AsSpan(at), StringComparison.Ordinal)) return cut[..at] + Redaction.Mark + "...";
        }
        return text;
    }
}
