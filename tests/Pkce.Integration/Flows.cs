using Pkce.Http;

namespace Pkce.Integration;

/// <summary>Builds configs and verified callbacks for tests that exercise the token exchange over HTTP.</summary>
internal static class Flows
{
    /// <summary>Starting a flow sends nothing: its port is never used.</summary>
    private static readonly Dependencies Starting = Dependencies.System(HttpPort.Create());

    public static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    public static PkceConfig Config(Uri tokenEndpoint, ClientAuthentication method = ClientAuthentication.None, string? secret = null, TimeSpan? timeout = null) =>
        Pkce.Config.Validate(new PkceSettings
        {
            ClientId = "client one",
            ClientSecret = secret,
            Authentication = method,
            RedirectUri = "http://127.0.0.1:8000/callback",
            Scope = "api",
            AuthorizationEndpoint = new Uri(tokenEndpoint, "authorize").AbsoluteUri,
            TokenEndpoint = tokenEndpoint.AbsoluteUri,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    /// <summary>Starts a flow in an in-memory store and returns the callback the server would send.</summary>
    public static async Task<(InMemoryPendingStore Store, string Callback)> StartedAsync(PkceConfig config)
    {
        var store = new InMemoryPendingStore();
        var started = await Flow.Start(config, Starting, store.Save, Alice, default)
            .Match(s => s, e => throw new InvalidOperationException(e.ToString()));
        return (store, $"{config.Client.RedirectUri}?code=code-123&state={started.Pending.State.Value}");
    }

    public static async Task<Either<PkceError, TokenResponse>> CompleteAsync(PkceConfig config, HttpPort http, CancellationToken cancellationToken = default)
    {
        var (store, callback) = await StartedAsync(config);
        return await Flow.Complete(config, Dependencies.System(http), store.Take, Alice, callback, cancellationToken).ToEither();
    }
}
