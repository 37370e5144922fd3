using LanguageExt;

namespace Pkce.Samples;

/// <summary>README: "The functional core". Two requests of a web app, as two functions.</summary>
public static class CorePipeline
{
    public static PkceConfig Configure(string rootUrl) =>
        // README:core-config
        Config.Validate(new PkceSettings
        {
            ClientId = "my-app",
            RedirectUri = "http://127.0.0.1:8000/oauth/callback",
            RootUrl = rootUrl, // e.g. "https://gitlab.com/oauth/": endpoints are root + "authorize" and root + "token"
            Scope = "read_api",
        }).Match(config => config, error => throw new InvalidOperationException(error.Message));
        // README:end

    // README:core-start
    // Request 1: make and store the secrets, then send the user to the authorization URL.
    // deps: the random source, the clock and the HTTP port, e.g. Dependencies.System(HttpPort.Create()).
    public static Task<string> LoginAsync(PkceConfig config, Dependencies deps, InMemoryPendingStore store, UserKey user, CancellationToken ct) =>
        Flow.Start(config, deps, store.Save, user, ct)
            .Match(started => started.AuthorizationUrl, error => throw new InvalidOperationException(error.Message));
    // README:end

    // README:core-complete
    // Request 2: the callback. Parse, take the pending authorization (once), verify, exchange.
    public static async Task<string> CallbackAsync(
        PkceConfig config, Dependencies deps, InMemoryPendingStore store, UserKey user, string callbackUrl, CancellationToken ct)
    {
        Either<PkceError, TokenResponse> result =
            await Flow.Complete(config, deps, store.Take, user, callbackUrl, ct).ToEither();
        return result.Match(
            token => $"signed in: {token.TokenType} token, expires in {token.ExpiresIn.Map(e => e.ToString()).IfNone("?")}",
            error => error switch
            {
                PkceError.AuthorizationDenied denied => $"you declined ({denied.Error})",
                PkceError.StateMissing or PkceError.StateMismatch or PkceError.StateUnknown
                    or PkceError.StateExpired or PkceError.StateReplayed => "this sign-in link is stale or forged; start again",
                _ => $"sign-in failed: {error.Code}",
            });
    }
    // README:end
}
