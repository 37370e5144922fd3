using Flurl.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Facade;

/// <summary>
/// The seed's <c>AbstractBasePKCEFlowManager</c>: subclass it, set the client's settings as properties, and
/// override the hooks that store and retrieve each user's secrets in your own storage. The settings are validated
/// when the manager is constructed (<see cref="ImproperlyConfiguredException"/> lists every problem).
/// Every method is one call into <c>Pkce.Core</c>.
/// </summary>
/// <typeparam name="TUser">Whatever identifies a user in your application.</typeparam>
public abstract class PkceFlowManager<TUser> : IDisposable
{
    private readonly PkceConfig _config;
    private readonly IFlurlClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Validates the subclass's settings; token requests use a client of the manager's own.</summary>
    protected PkceFlowManager() : this(null) { }

    /// <summary>Validates the subclass's settings; token requests go through <paramref name="httpClient"/> if given.</summary>
    protected PkceFlowManager(HttpClient? httpClient)
    {
        _config = Config.Validate(Settings).OrThrow();
        _http = httpClient is null ? new FlurlClient() : new FlurlClient(httpClient);
        _ownsHttp = httpClient is null;
    }

    /// <summary>The validated configuration.</summary>
    public PkceConfig Configuration => _config;

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

    /// <summary>The expected RFC 9207 issuer, if known.</summary>
    public virtual string? ExpectedIssuer => null;

    /// <summary>How long to wait for the token endpoint.</summary>
    public virtual TimeSpan Timeout => PkceSettings.DefaultTimeout;

    /// <summary>The clock (tests may replace it).</summary>
    protected virtual TimeProvider Clock => TimeProvider.System;

    /// <summary>The randomness (tests may replace it).</summary>
    protected virtual RandomBytes Random => Secrets.SystemRandom;

    private PkceSettings Settings => new()
    {
        ClientId = ClientId, ClientSecret = ClientSecret, Authentication = ClientAuthentication, RedirectUri = RedirectUri,
        Scope = Scope, RootUrl = RootUrl, AuthorizationPath = AuthorizePath, TokenPath = TokenPath,
        ExpectedIssuer = ExpectedIssuer, Timeout = Timeout,
    };

    /// <summary>Persist the user's state, verifier and challenge where the retrieve hooks will find them.</summary>
    protected abstract Task StoreUserSecretsAsync(TUser user, string state, string codeVerifier, string codeChallenge, CancellationToken cancellationToken);

    /// <summary>Return the state stored for the user, or null if there is none.</summary>
    protected abstract Task<string?> RetrieveUserStateAsync(TUser user, CancellationToken cancellationToken);

    /// <summary>Return the code challenge stored for the user, or null.</summary>
    protected abstract Task<string?> RetrieveUserCodeChallengeAsync(TUser user, CancellationToken cancellationToken);

    /// <summary>Return the code verifier stored for the user, or null.</summary>
    protected abstract Task<string?> RetrieveUserCodeVerifierAsync(TUser user, CancellationToken cancellationToken);

    /// <summary>Say whether <paramref name="state"/> is the state stored for the user.</summary>
    protected abstract Task<bool> CheckUserStateAsync(TUser user, string state, CancellationToken cancellationToken);

    /// <summary>
    /// Delete the user's secrets. Called after the callback passed its checks and before the code is sent, so that
    /// a replayed callback finds nothing. The default does nothing; override it to get single use.
    /// </summary>
    protected virtual Task ForgetUserSecretsAsync(TUser user, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Makes the user's secrets, stores them through the hook, and returns them (seed: <c>make_user_secrets</c>).</summary>
    public async Task<UserSecrets> MakeUserSecretsAsync(TUser user, CancellationToken cancellationToken = default)
    {
        var secrets = Secrets.Generate(Random);
        await StoreUserSecretsAsync(user, secrets.State.Value, secrets.Verifier.Value, secrets.Challenge.Value, cancellationToken).ConfigureAwait(false);
        return new UserSecrets(secrets);
    }

    /// <summary>The URL to send the user to, from their stored secrets (seed: <c>get_authorization_url</c>).</summary>
    public Task<string> GetAuthorizationUrlAsync(TUser user, CancellationToken cancellationToken = default) =>
        GetAuthorizationUrlAsync(user, [], cancellationToken);

    /// <summary>As <see cref="GetAuthorizationUrlAsync(TUser, CancellationToken)"/>, with extra query parameters (e.g. <c>prompt</c>).</summary>
    public async Task<string> GetAuthorizationUrlAsync(TUser user, IEnumerable<KeyValuePair<string, string>> extraParameters, CancellationToken cancellationToken = default)
    {
        var state = await RetrieveUserStateAsync(user, cancellationToken).ConfigureAwait(false);
        var challenge = await RetrieveUserCodeChallengeAsync(user, cancellationToken).ConfigureAwait(false);
        return StoredSecrets.AuthorizationUrl(_config, Optional(state), Optional(challenge), Parameters.From(extraParameters)).OrThrow();
    }

    /// <summary>
    /// Checks the callback's state for the user and exchanges the code (seed: <c>fetch_access_token</c>).
    /// Throws <see cref="StateForgeryException"/> before any token request when the state is missing or wrong, and
    /// <see cref="PkceFlowException"/> when the token request fails.
    /// </summary>
    public async Task<PkceTokenResponse> FetchAccessTokenAsync(TUser user, string? state, string? code, CancellationToken cancellationToken = default)
    {
        var storedState = await RetrieveUserStateAsync(user, cancellationToken).ConfigureAwait(false);
        var storedVerifier = await RetrieveUserCodeVerifierAsync(user, cancellationToken).ConfigureAwait(false);
        var matches = await CheckUserStateAsync(user, state ?? string.Empty, cancellationToken).ConfigureAwait(false);
        var verified = StoredSecrets.Verify(_config, Optional(storedState), Optional(storedVerifier), matches,
            Optional(state), Optional(code), None, Clock.GetUtcNow()).OrThrow();
        await ForgetUserSecretsAsync(user, cancellationToken).ConfigureAwait(false);
        return new PkceTokenResponse(await Token.Exchange(_config, _http, verified, cancellationToken).OrThrow().ConfigureAwait(false));
    }

    /// <summary>Releases the HTTP client if this object made it (an injected one stays its owner's).</summary>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
        GC.SuppressFinalize(this);
    }
}
