using System.Globalization;
using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Facade;

/// <summary>
/// The seed's <c>AbstractBasePKCEFlowManager</c>: subclass it, set the client's settings as properties, and
/// implement the two hooks that keep each user's secrets in your own storage. Safe with only those two: a URL never
/// reuses a state, the stored expiry is enforced, and a callback is redeemed at most once because the take hook is
/// one atomic compare-and-delete. The settings are validated on first use, once the subclass's constructor has run
/// (<see cref="ImproperlyConfiguredException"/> lists every problem). Every method is one call into
/// <c>Pkce.Core</c>'s <see cref="PerUserFlow"/>.
/// </summary>
/// <typeparam name="TUser">
/// Whatever identifies a user in your application. Its <c>ToString()</c> (invariant culture) must be a non-empty
/// string of at most 1,024 characters; it names the user inside the flow, while your hooks key the storage.
/// </typeparam>
public abstract class PkceFlowManager<TUser> : IDisposable where TUser : notnull
{
    private readonly Lazy<PkceConfig> _config;
    private readonly HttpPort _http;

    /// <summary>A manager whose token requests use a client of its own.</summary>
    protected PkceFlowManager() : this(null) { }

    /// <summary>
    /// A manager whose requests go through <paramref name="transport"/> if given: a fresh socket handler (its proxy,
    /// certificates, connection pool), which the manager owns from now on. Redirects are never followed.
    /// </summary>
    protected PkceFlowManager(SocketsHttpHandler? transport)
    {
        // Nothing a subclass overrides is read here: its constructor has not run yet.
        _config = new Lazy<PkceConfig>(() => Config.Validate(Settings).OrThrow());
        _http = transport is null ? HttpPort.Create() : HttpPort.Of(transport);
    }

    /// <summary>The validated configuration (validated on first use).</summary>
    public PkceConfig Configuration => _config.Value;

    /// <summary>The client id (seed: <c>client_id</c>).</summary>
    public abstract string ClientId { get; }

    /// <summary>The client secret (seed: <c>client_secret</c>); none for a public client.</summary>
    public virtual string? ClientSecret => null;

    /// <summary>The registered redirect URI (seed: <c>redirect_uri</c>).</summary>
    public abstract string RedirectUri { get; }

    /// <summary>The base URL of the authorization server (seed: <c>root_url</c>).</summary>
    public abstract string RootUrl { get; }

    /// <summary>Space-delimited scopes (seed: <c>scope</c>).</summary>
    public virtual string? Scope => null;

    /// <summary>The authorization endpoint relative to <see cref="RootUrl"/>.</summary>
    public virtual string AuthorizePath => "authorize";

    /// <summary>The token endpoint relative to <see cref="RootUrl"/>.</summary>
    public virtual string TokenPath => "token";

    /// <summary>Client authentication; by default none without a secret and HTTP Basic with one.</summary>
    public virtual ClientAuthentication? ClientAuthentication => null;

    /// <summary>The expected RFC 9207 issuer: a callback's <c>iss</c>, when present, must equal it.</summary>
    public virtual string? ExpectedIssuer => null;

    /// <summary>RFC 9207 §2.4: the server always sends <c>iss</c>, so a callback without it is refused.</summary>
    public virtual bool IssuerAlwaysSent => false;

    /// <summary>How long to wait for the token endpoint.</summary>
    public virtual TimeSpan Timeout => PkceSettings.DefaultTimeout;

    /// <summary>How long a user's secrets stay valid for a callback.</summary>
    public virtual TimeSpan PendingLifetime => PkceSettings.DefaultPendingLifetime;

    /// <summary>The clock (tests may replace it).</summary>
    protected virtual TimeProvider Clock => TimeProvider.System;

    /// <summary>The randomness (tests may replace it).</summary>
    protected virtual RandomBytes Random => Secrets.SystemRandom;

    /// <summary>
    /// The DPoP key and nonces when the manager binds its tokens to a key (RFC 9449); none by default. Return the
    /// same binding on every call (its nonces are remembered in it), and keep its key as a secret beside the tokens.
    /// </summary>
    protected virtual DpopBinding? Dpop => null;

    // Clock, Random and Dpop are read on each call: a subclass may compute them.
    private Dependencies Deps => new(Random, Clock, _http) { Dpop = Optional(Dpop) };

    private PkceSettings Settings => new()
    {
        ClientId = ClientId, ClientSecret = ClientSecret, Authentication = ClientAuthentication, RedirectUri = RedirectUri,
        Scope = Scope, RootUrl = RootUrl, AuthorizationPath = AuthorizePath, TokenPath = TokenPath,
        ExpectedIssuer = ExpectedIssuer, IssuerAlwaysSent = IssuerAlwaysSent, Timeout = Timeout, PendingLifetime = PendingLifetime,
    };

    /// <summary>
    /// Persist the user's new secrets (state, verifier, challenge and their expiry) where
    /// <see cref="TakeUserSecretsAsync"/> will find them, replacing the user's earlier ones (seed: <c>store_user_secrets</c>).
    /// </summary>
    protected abstract Task StoreUserSecretsAsync(TUser user, UserSecrets secrets, CancellationToken cancellationToken);

    /// <summary>
    /// Retrieve and delete the user's secrets in one atomic step, if their state equals <paramref name="state"/>;
    /// otherwise return null and leave them (seed: <c>check_user_state</c> and the retrieve hooks, made one). Of two
    /// concurrent calls for one state at most one may return the secrets: use your store's compare-and-delete
    /// (<c>DELETE ... WHERE user = @user AND state = @state RETURNING ...</c>, Redis <c>GETDEL</c> with a check,
    /// <c>ConcurrentDictionary.TryRemove(KeyValuePair)</c>).
    /// </summary>
    protected abstract Task<UserSecrets?> TakeUserSecretsAsync(TUser user, string state, CancellationToken cancellationToken);

    /// <summary>Makes the user's secrets, stores them through the hook, and returns them (seed: <c>make_user_secrets</c>).</summary>
    public Task<UserSecrets> MakeUserSecretsAsync(TUser user, CancellationToken cancellationToken = default) =>
        (from key in KeyOf(user).ToAsync()
         from pending in PerUserFlow.MakeSecrets(Configuration, Deps, SaveFor(user), key, cancellationToken)
         select UserSecrets.Of(pending)).OrThrow();

    /// <summary>
    /// The URL to send the user to (seed: <c>get_authorization_url</c>). Each call makes and stores fresh secrets
    /// (so no two URLs share a state), replacing any the user had: a user has one flow at a time here.
    /// </summary>
    public Task<string> GetAuthorizationUrlAsync(TUser user, CancellationToken cancellationToken = default) =>
        GetAuthorizationUrlAsync(user, [], cancellationToken);

    /// <summary>As <see cref="GetAuthorizationUrlAsync(TUser, CancellationToken)"/>, with extra query parameters (e.g. <c>prompt</c>).</summary>
    public Task<string> GetAuthorizationUrlAsync(TUser user, IEnumerable<KeyValuePair<string, string>> extraParameters, CancellationToken cancellationToken = default) =>
        (from key in KeyOf(user).ToAsync()
         from started in PerUserFlow.Start(Configuration, Deps, SaveFor(user), key, Parameters.From(extraParameters), cancellationToken)
         select started.AuthorizationUrl).OrThrow();

    /// <summary>
    /// Checks the callback's <c>state</c> (and <c>iss</c>, RFC 9207) for the user, consumes the user's secrets and
    /// exchanges the code (seed: <c>fetch_access_token</c>, with <c>iss</c>: pass the callback's, or null when it had
    /// none). Throws <see cref="StateForgeryException"/> before any token request when the state is missing, wrong,
    /// already used or stale, or <c>iss</c> is wrong; <see cref="PkceFlowException"/> when the token request fails.
    /// </summary>
    public Task<PkceTokenResponse> FetchAccessTokenAsync(TUser user, string? state, string? code, string? iss, CancellationToken cancellationToken = default) =>
        (from key in KeyOf(user).ToAsync()
         from response in Callback.FromParts(Optional(state), Optional(code), Optional(iss)).ToAsync()
         from token in PerUserFlow.Complete(Configuration, Deps, TakeFor(user), key, response, cancellationToken)
         select new PkceTokenResponse(token)).OrThrow();

    /// <summary>As <see cref="FetchAccessTokenAsync"/>, from the full callback URL (its <c>state</c>, <c>code</c> or <c>error</c>, and <c>iss</c>).</summary>
    public Task<PkceTokenResponse> HandleCallbackAsync(TUser user, string callbackUri, CancellationToken cancellationToken = default) =>
        (from key in KeyOf(user).ToAsync()
         from response in Callback.Parse(callbackUri).ToAsync()
         from token in PerUserFlow.Complete(Configuration, Deps, TakeFor(user), key, response, cancellationToken)
         select new PkceTokenResponse(token)).OrThrow();

    private SaveUserSecrets SaveFor(TUser user) =>
        (secrets, cancellationToken) => RightAsync<PkceError, Unit>(Saved(user, secrets, cancellationToken));

    private async Task<Unit> Saved(TUser user, UserSecrets secrets, CancellationToken cancellationToken)
    {
        await StoreUserSecretsAsync(user, secrets, cancellationToken).ConfigureAwait(false);
        return unit;
    }

    private TakeUserSecrets TakeFor(TUser user) =>
        (state, cancellationToken) => RightAsync<PkceError, Option<UserSecrets>>(Taken(user, state, cancellationToken));

    private async Task<Option<UserSecrets>> Taken(TUser user, State state, CancellationToken cancellationToken) =>
        Optional(await TakeUserSecretsAsync(user, state.Value, cancellationToken).ConfigureAwait(false));

    private static Either<PkceError, UserKey> KeyOf(TUser user) =>
        UserKey.From(Convert.ToString(user ?? throw new ArgumentNullException(nameof(user)), CultureInfo.InvariantCulture));

    /// <summary>Releases the HTTP port and its socket handler.</summary>
    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
