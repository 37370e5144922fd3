using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce.Facade;

/// <summary>
/// The composition style: a client built from settings and, optionally, a store of pending authorizations (the
/// in-memory store by default), a socket handler, a clock and a random source. Flows are keyed by
/// state, so one user may have several in progress. Every method is one call into <c>Pkce.Core</c>.
/// </summary>
public sealed class PkceClient : IDisposable
{
    private readonly PkceConfig _config;
    private readonly PendingStore _store;
    private readonly Dependencies _deps;

    /// <summary>Validates <paramref name="settings"/> (throws <see cref="ImproperlyConfiguredException"/>).</summary>
    /// <param name="settings">The client and server settings.</param>
    /// <param name="store">Where pending authorizations wait for their callback; in memory if null.</param>
    /// <param name="transport">
    /// The socket handler for requests to the server (its proxy, certificates, connection pool), fresh, not yet used;
    /// one of its own if null. A finished <see cref="HttpClient"/> is not taken: its handlers could follow a redirect
    /// with the code in the body (see <see cref="HttpPort"/>).
    /// </param>
    /// <param name="clock">The clock; the system's if null.</param>
    /// <param name="random">The random source; the OS CSPRNG if null.</param>
    public PkceClient(PkceSettings settings, PendingStore? store = null, SocketsHttpHandler? transport = null, TimeProvider? clock = null, RandomBytes? random = null)
        : this(settings, null, store, transport, clock, random) { }

    /// <summary>
    /// A client whose tokens are bound to <paramref name="dpop"/> (RFC 9449): the authorization request carries
    /// <c>dpop_jkt</c>, the code exchange a proof, and only a <c>DPoP</c> token is accepted back. Call the API with
    /// <see cref="DpopHandler"/> over <see cref="Dpop"/>. The key stays the caller's (keep it with the tokens, as a secret).
    /// </summary>
    public PkceClient(PkceSettings settings, DpopKey? dpop, PendingStore? store = null, SocketsHttpHandler? transport = null, TimeProvider? clock = null,
        RandomBytes? random = null)
    {
        _config = Config.Validate(settings).OrThrow();
        _deps = new Dependencies(random ?? Secrets.SystemRandom, clock ?? TimeProvider.System, transport is null ? HttpPort.Create() : HttpPort.Of(transport))
        {
            Dpop = Optional(dpop).Map(key => new DpopBinding(key)),
        };
        _store = store ?? new InMemoryPendingStore(_deps.Clock).Ports;
    }

    /// <summary>The DPoP key and the servers' nonces, when the client was made with a key; null otherwise.</summary>
    public DpopBinding? Dpop => _deps.Dpop.IfNoneUnsafe((DpopBinding?)null);

    /// <summary>The validated configuration.</summary>
    public PkceConfig Configuration => _config;

    /// <summary>Starts a flow for <paramref name="user"/>: makes and stores its secrets, returns the URL to send the user to.</summary>
    public Task<string> GetAuthorizationUrlAsync(string user, CancellationToken cancellationToken = default) =>
        GetAuthorizationUrlAsync(user, [], cancellationToken);

    /// <summary>As <see cref="GetAuthorizationUrlAsync(string, CancellationToken)"/>, with extra query parameters.</summary>
    public Task<string> GetAuthorizationUrlAsync(string user, IEnumerable<KeyValuePair<string, string>> extraParameters, CancellationToken cancellationToken = default) =>
        (from key in UserKey.From(user).ToAsync()
         from started in Flow.Start(_config, _deps, _store.Save, key, Parameters.From(extraParameters), cancellationToken)
         select started.AuthorizationUrl).OrThrow();

    /// <summary>
    /// Completes a flow from the full callback URL the browser was sent to: checks state, user, expiry and
    /// <c>iss</c>, consumes the pending authorization, and exchanges the code.
    /// </summary>
    public Task<PkceTokenResponse> HandleCallbackAsync(string user, string callbackUri, CancellationToken cancellationToken = default) =>
        (from key in UserKey.From(user).ToAsync()
         from token in Flow.Complete(_config, _deps, _store.Take, key, callbackUri, cancellationToken)
         select new PkceTokenResponse(token)).OrThrow();

    /// <summary>As <see cref="HandleCallbackAsync(string, string, CancellationToken)"/>.</summary>
    public Task<PkceTokenResponse> HandleCallbackAsync(string user, Uri callbackUri, CancellationToken cancellationToken = default) =>
        HandleCallbackAsync(user, callbackUri.OriginalString, cancellationToken);

    /// <summary>
    /// Completes a flow from the callback's <c>state</c>, <c>code</c> and <c>iss</c> (seed: <c>fetch_access_token</c>;
    /// RFC 9207: pass the callback's <c>iss</c>, or null when it had none).
    /// </summary>
    public Task<PkceTokenResponse> FetchAccessTokenAsync(string user, string? state, string? code, string? iss, CancellationToken cancellationToken = default) =>
        (from key in UserKey.From(user).ToAsync()
         from response in Callback.FromParts(Optional(state), Optional(code), Optional(iss)).ToAsync()
         from token in Flow.Complete(_config, _deps, _store.Take, key, response, cancellationToken)
         select new PkceTokenResponse(token)).OrThrow();

    /// <summary>Releases the HTTP port and its socket handler.</summary>
    public void Dispose() => _deps.Http.Dispose();
}
