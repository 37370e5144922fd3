using System.Text.Json;
using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>The server's answer to a pushed authorization request (RFC 9126 §2.2).</summary>
/// <param name="RequestUri">The reference to send the user with, in place of the parameters.</param>
/// <param name="ExpiresIn">How long the reference is valid.</param>
public sealed record PushedAuthorization(string RequestUri, TimeSpan ExpiresIn);

/// <summary>Pushed authorization requests (RFC 9126): build without I/O, send once, parse without I/O.</summary>
public static class PushedAuthorizationRequest
{
    /// <summary>What the endpoint is called in messages.</summary>
    public const string EndpointName = "pushed authorization request endpoint";

    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(1);

    /// <summary>
    /// RFC 9126 §2.1: a POST of the authorization request's parameters with the client's authentication ("The
    /// rules for client authentication as defined in [RFC6749] for token endpoint requests ... apply"); the body
    /// carries <c>client_id</c> whatever the authentication.
    /// </summary>
    public static Either<PkceError, FormPost> Build(PkceConfig config, PendingAuthorization pending, Seq<QueryParameter> extras) =>
        Build(config, pending, extras, None);

    /// <summary>As <see cref="Build(PkceConfig, PendingAuthorization, Seq{QueryParameter})"/>, with RFC 9449 §10's <c>dpop_jkt</c> when the client binds its code to a DPoP key.</summary>
    internal static Either<PkceError, FormPost> Build(PkceConfig config, PendingAuthorization pending, Seq<QueryParameter> extras, Option<string> dpopJkt) =>
        from endpoint in config.Server.PushedAuthorizationRequestEndpoint
            .ToEither((PkceError)new PkceError.InvalidValue("configuration", "no pushed authorization request endpoint is set"))
        from parameters in AuthorizationUrl.Parameters(config, pending, extras)
        from post in ClientCredentials.Post(config.Client, EndpointName, endpoint, parameters + dpopJkt.Map(j => new QueryParameter(WireNames.DpopJkt, j)).ToSeq())
        select config.Client.Authentication == ClientAuthentication.ClientSecretBasic
            ? post with { Form = post.Form.Add(new QueryParameter(WireNames.ClientId, config.Client.ClientId)) }
            : post;

    /// <summary>
    /// RFC 9126 §2.2: "201 (Created)" with <c>request_uri</c> and <c>expires_in</c> (both REQUIRED). Tolerated: any
    /// 2xx. Errors are RFC 6749 §5.2 objects, as at the token endpoint.
    /// </summary>
    public static Either<PkceError, PushedAuthorization> Parse(HttpAnswer answer) =>
        JsonAnswer.Read(answer, (root, _) => Success(answer, root));

    private static Either<PkceError, PushedAuthorization> Success(HttpAnswer answer, JsonElement root)
    {
        if (!JsonAnswer.TryString(root, WireNames.RequestUri, out var requestUri, out var problem)) return JsonAnswer.Unexpected<PushedAuthorization>(answer, problem!);
        if (string.IsNullOrEmpty(requestUri)) return JsonAnswer.Unexpected<PushedAuthorization>(answer, $"'{WireNames.RequestUri}' is missing");
        return JsonAnswer.Seconds(root, WireNames.ExpiresIn, MaxLifetime).Match(
            expires => expires.Match(
                e => e > TimeSpan.Zero
                    ? Right<PkceError, PushedAuthorization>(new PushedAuthorization(requestUri, e))
                    : JsonAnswer.Unexpected<PushedAuthorization>(answer, $"'{WireNames.ExpiresIn}' is not positive"),
                () => JsonAnswer.Unexpected<PushedAuthorization>(answer, $"'{WireNames.ExpiresIn}' is missing")),
            reason => JsonAnswer.Unexpected<PushedAuthorization>(answer, reason));
    }

    /// <summary>Pushes the request once and gives the URL to send the user to (RFC 9126 §4).</summary>
    public static EitherAsync<PkceError, string> Push(PkceConfig config, HttpPort http, PendingAuthorization pending, Seq<QueryParameter> extras, CancellationToken cancellationToken) =>
        Push(config, http, pending, extras, None, cancellationToken);

    internal static EitherAsync<PkceError, string> Push(PkceConfig config, HttpPort http, PendingAuthorization pending, Seq<QueryParameter> extras, Option<string> dpopJkt,
        CancellationToken cancellationToken) =>
        from post in Build(config, pending, extras, dpopJkt).ToAsync()
        from pushed in Send(config, http, post, cancellationToken).ToAsync()
        select AuthorizationUrl.Pushed(config, pushed.RequestUri);

    private static async Task<Either<PkceError, PushedAuthorization>> Send(PkceConfig config, HttpPort http, FormPost post, CancellationToken cancellationToken) =>
        (await http.Post(post, config.Timeout, cancellationToken).ConfigureAwait(false)).Bind(Parse)
            .MapLeft(error => ErrorRedaction.WithoutSent(error, config, post));
}
