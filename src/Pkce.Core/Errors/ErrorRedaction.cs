using LanguageExt;
using Pkce.Http;

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
    /// The error of a request without what the request carried: its form's secrets (<see cref="FormPost.Secrets"/>)
    /// and the client secret, which a Basic header carries.
    /// </summary>
    public static PkceError WithoutSent(PkceError error, PkceConfig config, FormPost post) =>
        Without(error, post.Secrets + config.Client.Secret.Map(s => s.Value).ToSeq());

    /// <summary>The error with every occurrence of each of <paramref name="secrets"/> replaced by <see cref="Redaction.Mark"/>.</summary>
    public static PkceError Without(PkceError error, Seq<string> secrets)
    {
        var sensitive = secrets.Filter(s => s.Length >= MinimumLength).Strict();
        if (sensitive.IsEmpty) return error;
        string Clean(string text) => sensitive.Fold(text, (t, s) => t.Replace(s, Redaction.Mark, StringComparison.Ordinal));
        return error switch
        {
            PkceError.EndpointError e => new PkceError.EndpointError(e.Endpoint, e.Status, Clean(e.Error), e.ErrorDescription.Map(Clean), e.ErrorUri.Map(Clean)),
            PkceError.UnexpectedResponse e => new PkceError.UnexpectedResponse(e.Endpoint, e.Status, e.ContentType.Map(Clean), Clean(e.Reason), e.BodyExcerpt.Map(Clean)),
            PkceError.TransportFailure e => new PkceError.TransportFailure(e.Endpoint, Clean(e.Reason)),
            PkceError.RedirectRefused e => new PkceError.RedirectRefused(e.Endpoint, e.Location.Map(Clean)),
            PkceError.UnsupportedTokenType e => new PkceError.UnsupportedTokenType(e.TokenType.Map(Clean)),
            _ => error,
        };
    }
}
