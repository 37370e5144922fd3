using LanguageExt;

namespace Pkce;

/// <summary>Where to send the user for a pending authorization: a plain URL, or a pushed request's reference.</summary>
public static class AuthorizationRequest
{
    /// <summary>
    /// With a pushed authorization request endpoint configured (or discovered), the parameters are pushed
    /// (RFC 9126) and the URL holds only <c>client_id</c> and <c>request_uri</c>; a failed push is an error, never
    /// a fallback to a plain request (RFC 9126 §5: a server may require pushed requests). Otherwise the plain URL
    /// of RFC 6749 §4.1.1, built without I/O. With a DPoP binding (<see cref="Dependencies.Dpop"/>), either carries
    /// RFC 9449 §10's <c>dpop_jkt</c>, the key's thumbprint, so the code can only be redeemed with that key.
    /// </summary>
    public static EitherAsync<PkceError, string> Url(
        PkceConfig config, Dependencies deps, PendingAuthorization pending, Seq<QueryParameter> extras, CancellationToken cancellationToken)
    {
        var jkt = deps.Dpop.Map(d => d.Key.Thumbprint);
        return config.Server.PushedAuthorizationRequestEndpoint.IsSome
            ? PushedAuthorizationRequest.Push(config, deps.Http, pending, extras, jkt, cancellationToken)
            // A thumbprint is base64url: nothing in it needs escaping in a query.
            : AuthorizationUrl.Build(config, pending, extras).Map(url => jkt.Match(j => $"{url}&{WireNames.DpopJkt}={j}", () => url)).ToAsync();
    }
}
