using Pkce.Http;

namespace Pkce.Samples;

/// <summary>README: "Keeping a user's token fresh". A web app that calls an API for its users, day after day.</summary>
public sealed class TokenLifecycle(PkceConfig config, Dependencies deps, TokenSource tokens)
{
    public PkceConfig Config => config;

    public static async Task<TokenLifecycle> StartAsync(string issuer, string clientId, string redirectUri, TokenStore store, CancellationToken ct)
    {
        // README:lifecycle-setup
        // Once per application: the server's metadata (RFC 8414) drives the endpoints, PAR, iss and revocation.
        var http = HttpPort.Create();
        var metadata = new MetadataCache(http, TimeProvider.System, lifetime: TimeSpan.FromHours(1), timeout: TimeSpan.FromSeconds(10));
        var settings = new PkceSettings { ClientId = clientId, RedirectUri = redirectUri, Scope = "api offline_access" };
        PkceConfig config = await DiscoveredConfig.Discover(settings, metadata, issuer, ct)
            .Match(c => c, e => throw new InvalidOperationException(e.Message));
        var deps = Dependencies.System(http);
        var tokens = new TokenSource(config, deps, store); // InMemoryTokenStore, SqliteTokenStore or RedisTokenStore ports
        // README:end
        return new TokenLifecycle(config, deps, tokens);
    }

    public Task<string> SignInAsync(InMemoryPendingStore pending, UserKey user, CancellationToken ct) =>
        Flow.Start(config, deps, pending.Save, user, ct).Match(s => s.AuthorizationUrl, e => throw new InvalidOperationException(e.Message));

    public async Task CallbackAsync(InMemoryPendingStore pending, UserKey user, string callbackUrl, CancellationToken ct)
    {
        // README:lifecycle-callback
        // In the callback handler: complete the flow and keep the user's tokens.
        var key = new TokenKey(user, "api", "api offline_access");
        await (from token in Flow.Complete(config, deps, pending.Take, user, callbackUrl, ct)
               from kept in tokens.Save(key, token, ct)
               select kept).Match(_ => { }, e => throw new InvalidOperationException(e.Message));
        // README:end
    }

    public async Task<string> AccessTokenAsync(UserKey user, CancellationToken ct)
    {
        // README:lifecycle-call
        // Before every API call: a valid access token, renewed (once, however many requests ask) when it is about to expire.
        var key = new TokenKey(user, "api", "api offline_access");
        return await tokens.Get(key, ct).Match(
            t => t.AccessToken,
            e => e is PkceError.LoginRequired ? "" /* send the user to sign in again */ : throw new InvalidOperationException(e.Message));
        // README:end
    }

    public Task<LanguageExt.Option<PkceError>> SignOutAsync(UserKey user, CancellationToken ct) =>
        // README:lifecycle-logout
        // Sign-out: revoke at the server (RFC 7009) and forget, even if the server cannot be reached.
        tokens.Revoke(new TokenKey(user, "api", "api offline_access"), ct).Match(outcome => outcome, e => throw new InvalidOperationException(e.Message));
        // README:end
}
