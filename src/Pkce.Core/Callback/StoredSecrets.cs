using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The seed's model of storage: the application keeps one set of secrets per user in its own store and hands
/// back what it kept. Turns those values and the callback's parts into the same checked
/// <see cref="VerifiedCallback"/> as <see cref="Callback.Verify"/>, so the seed-style API redeems codes through
/// the same gate. Expiry and single use are then the application's store's business.
/// </summary>
public static class StoredSecrets
{
    /// <summary>The owner recorded in pending authorizations rebuilt from per-user storage.</summary>
    private static readonly UserKey StoredUser = UserKey.From("stored-per-user").IfLeft(_ => throw new InvalidOperationException());

    /// <summary>
    /// Builds the authorization URL from the state and challenge the application kept for the user; either
    /// missing means the secrets were never made (<see cref="PkceError.InvalidValue"/>).
    /// </summary>
    public static Either<PkceError, string> AuthorizationUrl(PkceConfig config, Option<string> storedState, Option<string> storedChallenge, Seq<QueryParameter> extras) =>
        from state in storedState.ToEither(Missing("stored state")).Bind(State.From)
        from challenge in storedChallenge.ToEither(Missing("stored code challenge")).Bind(CodeChallenge.From)
        from url in Pkce.AuthorizationUrl.Build(config, state, challenge, extras)
        select url;

    private static PkceError Missing(string what) => new PkceError.InvalidValue(what, "missing: make the user's secrets first");

    /// <summary>
    /// Checks, in order: the callback has a state (<see cref="PkceError.StateMissing"/>); the application holds a
    /// state and verifier for the user (<see cref="PkceError.StateUnknown"/>); the application's own check and a
    /// constant-time comparison agree that the states match (<see cref="PkceError.StateMismatch"/>); the callback
    /// has a well-formed code; then <see cref="Callback.Verify"/>'s issuer rules.
    /// </summary>
    /// <param name="config">The validated configuration.</param>
    /// <param name="storedState">The state the application kept for the user.</param>
    /// <param name="storedVerifier">The verifier the application kept for the user.</param>
    /// <param name="applicationSaysStateMatches">The answer of the application's own state check hook.</param>
    /// <param name="receivedState">The callback's <c>state</c>.</param>
    /// <param name="code">The callback's <c>code</c>.</param>
    /// <param name="issuer">The callback's <c>iss</c>, if the caller has it.</param>
    /// <param name="now">The current time.</param>
    public static Either<PkceError, VerifiedCallback> Verify(
        PkceConfig config, Option<string> storedState, Option<string> storedVerifier, bool applicationSaysStateMatches,
        Option<string> receivedState, Option<string> code, Option<string> issuer, DateTimeOffset now) =>
        from received in receivedState.ToEither((PkceError)new PkceError.StateMissing()).Bind(State.From)
        from kept in storedState.ToEither((PkceError)new PkceError.StateUnknown()).Bind(State.From)
        from verifier in storedVerifier.ToEither((PkceError)new PkceError.StateUnknown()).Bind(CodeVerifier.From)
        from _ in guard(applicationSaysStateMatches, (PkceError)new PkceError.StateMismatch()).ToEither()
        from authorizationCode in code.ToEither((PkceError)new PkceError.MalformedCallback("the callback has no code"))
            .Bind(AuthorizationCode.From)
        from verified in Callback.Verify(
            new AuthorizationResponse.Granted(authorizationCode, received, issuer),
            new PendingAuthorization(kept, verifier, Challenge.S256(verifier), config.Client.RedirectUri,
                config.Server.ExpectedIssuer, config.Server.IssuerAlwaysSent, StoredUser, now, now + config.PendingLifetime),
            StoredUser, now)
        select verified;
}
