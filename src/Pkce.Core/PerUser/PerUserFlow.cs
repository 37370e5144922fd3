using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The seed's model of storage, one set of secrets per user in the application's own store, as a pipeline of its
/// own over the per-user ports (<see cref="SaveUserSecrets"/>, <see cref="TakeUserSecrets"/>). It reaches the token
/// exchange through the same gate as <see cref="Flow"/>: the taken secrets become the user's
/// <see cref="PendingAuthorization"/>, with the expiry that was stored, and <see cref="Callback.Verify"/> checks state
/// (in constant time), user, lifetime and issuer. Single use is the take's compare-and-delete.
/// </summary>
public static class PerUserFlow
{
    /// <summary>
    /// Makes fresh secrets for <paramref name="user"/> and stores them through <paramref name="save"/> (the seed's
    /// <c>make_user_secrets</c>); they expire after the configured pending lifetime.
    /// </summary>
    public static EitherAsync<PkceError, PendingAuthorization> MakeSecrets(
        PkceConfig config, Dependencies deps, SaveUserSecrets save, UserKey user, CancellationToken cancellationToken)
    {
        var pending = PendingAuthorization.For(config, Secrets.Generate(deps.Random), user, deps.Clock.GetUtcNow());
        return save(UserSecrets.Of(pending), cancellationToken).Map(_ => pending);
    }

    /// <summary>
    /// Starts a flow (the seed's <c>get_authorization_url</c>): fresh secrets every time, so no two URLs ever carry
    /// the same state and challenge; the URL is built first (bad extras fail before anything is stored) and returned
    /// once the secrets are stored.
    /// </summary>
    public static EitherAsync<PkceError, StartedFlow> Start(
        PkceConfig config, Dependencies deps, SaveUserSecrets save, UserKey user, Seq<QueryParameter> extras, CancellationToken cancellationToken)
    {
        var pending = PendingAuthorization.For(config, Secrets.Generate(deps.Random), user, deps.Clock.GetUtcNow());
        return from url in AuthorizationRequest.Url(config, deps, pending, extras, cancellationToken)
               from _ in save(UserSecrets.Of(pending), cancellationToken)
               select new StartedFlow(pending, url);
    }

    /// <summary>
    /// Takes the user's secrets for the response's state (consuming them) and verifies the response: an unknown,
    /// already used or replaced state is <see cref="PkceError.StateUnknown"/>, a stale one
    /// <see cref="PkceError.StateExpired"/>, and so on as in <see cref="Callback.Verify"/>.
    /// </summary>
    public static EitherAsync<PkceError, VerifiedCallback> VerifyCallback(
        PkceConfig config, TimeProvider clock, TakeUserSecrets take, UserKey user, AuthorizationResponse response, CancellationToken cancellationToken) =>
        from taken in take(response.State, cancellationToken)
        from secrets in taken.ToEither((PkceError)new PkceError.StateUnknown()).ToAsync()
        from pending in PendingOf(config, secrets, clock.GetUtcNow()).ToAsync()
        from verified in Callback.Verify(response, pending, user, clock.GetUtcNow()).ToAsync()
        select verified;

    /// <summary>Verifies the callback as <see cref="VerifyCallback"/> does, then exchanges the code.</summary>
    public static EitherAsync<PkceError, TokenResponse> Complete(
        PkceConfig config, Dependencies deps, TakeUserSecrets take, UserKey user, AuthorizationResponse response, CancellationToken cancellationToken) =>
        from verified in VerifyCallback(config, deps.Clock, take, user, response, cancellationToken)
        from token in Token.Exchange(config, deps, verified, cancellationToken)
        select token;

    /// <summary>
    /// The user's pending authorization from what the store gave back: every value checked by its type's rule, the
    /// challenge recomputed from the verifier, and an expiry no later than the configured lifetime allows from now
    /// (a row that fails is <see cref="PkceError.StoreFailure"/>: a store that lost the expiry, or kept
    /// <see cref="DateTimeOffset.MaxValue"/>, cannot make secrets live forever). The user is the one stored with the
    /// secrets, so <see cref="Callback.Verify"/> refuses another user's flow even from a store keyed by state alone;
    /// the redirect URI and issuer rules are the configuration's, which sent the request.
    /// </summary>
    private static Either<PkceError, PendingAuthorization> PendingOf(PkceConfig config, UserSecrets secrets, DateTimeOffset now) =>
        (from user in UserKey.From(secrets.User)
         from state in State.From(secrets.State)
         from verifier in CodeVerifier.From(secrets.CodeVerifier)
         from challenge in CodeChallenge.From(secrets.CodeChallenge)
         from _1 in guard(Challenge.S256(verifier).Equals(challenge), (PkceError)new PkceError.InvalidValue("code challenge", "it is not S256 of the verifier")).ToEither()
         from _2 in guard(secrets.ExpiresAt <= now + config.PendingLifetime + ClockSkew,
             (PkceError)new PkceError.InvalidValue("expiry", $"{secrets.ExpiresAt:O} is later than the pending lifetime allows")).ToEither()
         select new PendingAuthorization(state, verifier, challenge, config.Client.RedirectUri, config.Server.ExpectedIssuer,
             config.Server.IssuerAlwaysSent, user, CreatedAt(secrets.ExpiresAt, config.PendingLifetime), secrets.ExpiresAt))
        .MapLeft(e => (PkceError)new PkceError.StoreFailure("the stored secrets are corrupt: " + e.Message));

    /// <summary>Servers of one farm may disagree about the time by this much.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    private static DateTimeOffset CreatedAt(DateTimeOffset expiresAt, TimeSpan lifetime) =>
        expiresAt - DateTimeOffset.MinValue > lifetime ? expiresAt - lifetime : DateTimeOffset.MinValue;
}
