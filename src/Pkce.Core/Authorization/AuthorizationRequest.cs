using LanguageExt;

namespace Pkce;

/// <summary>Where to send the user for a pending authorization: a plain URL, or a pushed request's reference.</summary>
public static class AuthorizationRequest
{
    /// <summary>
    /// With a pushed authorization request endpoint configured (or discovered), the parameters are pushed
    /// (RFC 9126) and the URL holds only <c>client_id</c> and <c>request_uri</c>; a failed push is an error, never
    /// a fallback to a plain request (RFC 9126 §5: a server may require pushed requests). Otherwise the plain URL
    /// of RFC 6749 §4.1.1, built without I/O.
    /// </summary>
    public static EitherAsync<PkceError, string> Url(
        PkceConfig config, Dependencies deps, PendingAuthorization pending, Seq<QueryParameter> extras, CancellationToken cancellationToken) =>
        config.Server.PushedAuthorizationRequestEndpoint.IsSome
            ? PushedAuthorizationRequest.Push(config, deps.Http, pending, extras, cancellationToken)
            : AuthorizationUrl.Build(config, pending, extras).ToAsync();
}
