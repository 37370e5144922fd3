using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>A flow that has been started: where to send the user, and what was stored.</summary>
/// <param name="Pending">The saved pending authorization (holds state, verifier and challenge).</param>
/// <param name="AuthorizationUrl">The URL to redirect the user to.</param>
public sealed record StartedFlow(PendingAuthorization Pending, string AuthorizationUrl);

/// <summary>
/// The whole pipeline in two steps, one per HTTP request the application handles:
/// secrets → pending authorization → URL → save; then callback → take → verify → exchange.
/// </summary>
public static class Flow
{
    /// <summary>Starts a flow for <paramref name="user"/> with no extra authorization parameters.</summary>
    public static EitherAsync<PkceError, StartedFlow> Start(
        PkceConfig config, Dependencies deps, SavePending save, UserKey user, CancellationToken cancellationToken) =>
        Start(config, deps, save, user, Seq<QueryParameter>(), cancellationToken);

    /// <summary>
    /// Generates the secrets, builds the authorization URL (so bad extras fail before anything is stored), pushing
    /// the request first when the server takes pushed requests (<see cref="AuthorizationRequest.Url"/>), then saves
    /// the pending authorization. The URL is returned only once the save is acknowledged.
    /// </summary>
    public static EitherAsync<PkceError, StartedFlow> Start(
        PkceConfig config, Dependencies deps, SavePending save, UserKey user, Seq<QueryParameter> extras, CancellationToken cancellationToken)
    {
        var pending = PendingAuthorization.For(config, Secrets.Generate(deps.Random), user, deps.Clock.GetUtcNow());
        return from url in AuthorizationRequest.Url(config, deps, pending, extras, cancellationToken)
               from _ in save(pending, cancellationToken)
               select new StartedFlow(pending, url);
    }

    /// <summary>
    /// Completes a flow from the callback URL (or its query): parse, take the pending authorization for its state
    /// (consuming it), verify, and exchange the code. Any failure before the exchange means no request reaches the
    /// token endpoint.
    /// </summary>
    public static EitherAsync<PkceError, TokenResponse> Complete(
        PkceConfig config, Dependencies deps, TakePending take, UserKey user, string callback, CancellationToken cancellationToken) =>
        from response in Callback.Parse(callback).ToAsync()
        from token in Complete(config, deps, take, user, response, cancellationToken)
        select token;

    /// <summary>Completes a flow from a callback whose parameters were already read (<see cref="Callback.FromParts"/>).</summary>
    public static EitherAsync<PkceError, TokenResponse> Complete(
        PkceConfig config, Dependencies deps, TakePending take, UserKey user, AuthorizationResponse response, CancellationToken cancellationToken) =>
        from verified in VerifyCallback(deps.Clock, take, user, response, cancellationToken)
        from token in Token.Exchange(config, deps, verified, cancellationToken)
        select token;

    /// <summary>The first half of <c>Complete</c>: parse, take and verify, without the exchange.</summary>
    public static EitherAsync<PkceError, VerifiedCallback> VerifyCallback(
        TimeProvider clock, TakePending take, UserKey user, string callback, CancellationToken cancellationToken) =>
        from response in Callback.Parse(callback).ToAsync()
        from verified in VerifyCallback(clock, take, user, response, cancellationToken)
        select verified;

    /// <summary>Takes the pending authorization for the response's state (consuming it) and verifies the response.</summary>
    public static EitherAsync<PkceError, VerifiedCallback> VerifyCallback(
        TimeProvider clock, TakePending take, UserKey user, AuthorizationResponse response, CancellationToken cancellationToken) =>
        from pending in take(response.State, cancellationToken)
        from verified in Callback.Verify(response, pending, user, clock.GetUtcNow()).ToAsync()
        select verified;
}
