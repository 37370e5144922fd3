using Microsoft.Extensions.Time.Testing;
using Pkce.Http;
using Pkce.Integration.NoSecret;
using Pkce.LocalAuthority;

namespace Pkce.Integration;

/// <summary>
/// No secret anywhere, core and facade (the facade's flows are in NoSecretAnywhereFacadeTests.cs): every flow (success, each refusal of a callback, token endpoint errors,
/// refresh, revocation, DPoP), with every value and error printed, every exception's message and ToString, and a
/// hostile server that echoes each request in every place a client reads. The secrets come from the flows
/// themselves: the verifier from the pending store, the code from the callback URL, the tokens from the answers.
/// </summary>
public sealed partial class NoSecretAnywhereTests(NoSecretServers servers) : IClassFixture<NoSecretServers>, IDisposable
{
    private readonly SecretLedger _ledger = new();
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly HttpPort _http = HttpPort.Create();

    private LocalAuthority.LocalAuthority Authority => servers.Authority;

    public void Dispose()
    {
        Authority.DenyAuthorizations = false;
        Authority.TokenEndpointFails = false;
        _browser.Dispose();
        _http.Dispose();
    }

    private PkceSettings SettingsOf(LocalClient client) => new()
    {
        ClientId = client.ClientId,
        ClientSecret = client.ClientSecret,
        Authentication = client.Kind switch
        {
            LocalClientKind.Public => ClientAuthentication.None,
            LocalClientKind.ConfidentialPost => ClientAuthentication.ClientSecretPost,
            _ => ClientAuthentication.ClientSecretBasic,
        },
        RedirectUri = servers.RedirectUri,
        AuthorizationEndpoint = Authority.AuthorizationEndpoint.AbsoluteUri,
        TokenEndpoint = Authority.TokenEndpoint.AbsoluteUri,
        RevocationEndpoint = Authority.RevocationEndpoint.AbsoluteUri,
        ExpectedIssuer = Authority.Issuer.AbsoluteUri,
        IssuerAlwaysSent = true,
        Scope = "api offline_access",
    };

    /// <summary>The same client with its token, pushed-request and revocation endpoints at the hostile server.</summary>
    private PkceSettings Hostile(PkceSettings settings) => settings with
    {
        TokenEndpoint = new Uri(servers.Hostile.BaseAddress, "token").AbsoluteUri,
        RevocationEndpoint = new Uri(servers.Hostile.BaseAddress, "revoke").AbsoluteUri,
    };

    /// <summary>A pending store that records each verifier it is given (and shows each pending authorization printed).</summary>
    private PendingStore Recording(PendingStore inner) => inner with
    {
        Save = (pending, ct) =>
        {
            _ledger.Secret("code verifier", pending.Verifier.Value);
            _ledger.Shown("PendingAuthorization.ToString", pending.ToString());
            return inner.Save(pending, ct);
        },
    };

    /// <summary>Plays the browser at the authorization URL: the callback URL the authority redirects to; its code is recorded.</summary>
    private async Task<string> AuthorizeAsync(string url)
    {
        using var answer = await _browser.GetAsync(url);
        var callback = answer.Headers.Location?.OriginalString ?? throw new Xunit.Sdk.XunitException($"no redirect from the authorization endpoint ({(int)answer.StatusCode})");
        _ledger.Secret("authorization code", QueryString.Parse(new Uri(callback).Query).Find(p => p.Name == "code").Map(p => p.Value).IfNoneUnsafe((string?)null));
        return callback;
    }

    private void Tokens(TokenResponse token)
    {
        _ledger.Secret("access token", token.AccessToken);
        _ledger.Secret("refresh token", token.RefreshToken.IfNoneUnsafe((string?)null));
        _ledger.Shown("TokenResponse.ToString", token.ToString());
    }

    private void Tokens(TokenSet tokens)
    {
        _ledger.Secret("access token", tokens.AccessToken);
        _ledger.Secret("refresh token", tokens.RefreshToken.IfNoneUnsafe((string?)null));
        _ledger.Shown("TokenSet.ToString", tokens.ToString());
    }

    /// <summary>An outcome as an application would log it: the value's ToString, or the error's code, message and ToString.</summary>
    private void Shown<T>(string where, Either<PkceError, T> outcome) =>
        outcome.Match(value => _ledger.Shown(where, value?.ToString()), error =>
        {
            _ledger.Shown(where + " (message)", $"{error.Code}: {error.Message}");
            _ledger.Shown(where + " (ToString)", error.ToString());
        });

    private async Task<Either<PkceError, T>> Run<T>(string where, EitherAsync<PkceError, T> step)
    {
        var outcome = await step.ToEither();
        Shown(where, outcome);
        return outcome;
    }

    /// <summary>The basic client's Basic credentials (id:secret, form-encoded, base64): the secret in another form.</summary>
    private void BasicCredentialsOf(PkceConfig config, VerifiedCallback callback) =>
        TokenRequest.Build(config, callback).IfRight(post => post.Authorization.IfSome(header => _ledger.Secret("client secret (Basic credentials)", header["Basic ".Length..])));

    [Fact]
    public async Task No_core_flow_shows_a_secret()
    {
        var user = Expect.Value(UserKey.From("alice"));
        foreach (var client in Authority.Clients)
        {
            _ledger.Secret("client secret", client.ClientSecret);
            var settings = SettingsOf(client);
            _ledger.Shown("PkceSettings.ToString", settings.ToString());
            var config = Expect.Value(Config.Validate(settings));
            _ledger.Shown("PkceConfig.ToString", config.ToString());
            var deps = Dependencies.System(_http);
            var store = Recording(new InMemoryPendingStore().Ports);

            // Success, then the same callback again, the same code again, and a refresh, a reused refresh token, a logout.
            var started = Expect.Value(await Run("Flow.Start", Flow.Start(config, deps, store.Save, user, default)));
            _ledger.Shown("the authorization URL", started.AuthorizationUrl);
            var callback = await AuthorizeAsync(started.AuthorizationUrl);
            var verified = Expect.Value(await Run("Flow.VerifyCallback", Flow.VerifyCallback(deps.Clock, store.Take, user, callback, default)));
            BasicCredentialsOf(config, verified);
            var token = Expect.Value(await Run("Token.Exchange", Token.Exchange(config, deps, verified, default)));
            Tokens(token);
            var tokenStore = new InMemoryTokenStore();
            var source = new TokenSource(config, deps, tokenStore.Ports);
            var key = new TokenKey(user, "api", "api offline_access");
            Tokens(Expect.Value(await Run("TokenSource.Save", source.Save(key, token, default))));
            var renewed = Expect.Value(await Run("TokenSource.Refresh", source.Refresh(key, default)));
            Tokens(renewed);
            await Run("TokenStore.Load", tokenStore.Load(key, default));
            // A spent code redeemed again makes the server revoke what it issued for it.
            await Run("Flow.Complete of a replayed callback", Flow.Complete(config, deps, store.Take, user, callback, default));
            await Run("Token.Exchange of a spent code", Token.Exchange(config, deps, verified, default));
            await Run("RefreshRequest.Send of a rotated refresh token", RefreshRequest.Send(config, deps, token.RefreshToken.IfNone(""), None, default));
            await Run("TokenSource.Refresh after the grant was revoked", source.Refresh(key, default));
            await Run("TokenSource.Get of a key that needs a login", source.Get(key, default));
            await Run("TokenSource.Revoke", source.Revoke(key, default));
            await Run("Revocation.Revoke", Revocation.Revoke(config, _http, renewed.AccessToken, false, default));

            // Each refusal of a callback, before any token request.
            foreach (var (name, alter) in new (string, Func<string, string>)[]
            {
                ("a forged state", c => c.Replace("state=", "state=forged")),
                ("no state", c => System.Text.RegularExpressions.Regex.Replace(c, "state=[^&]*&?", "")),
                ("another issuer", c => System.Text.RegularExpressions.Regex.Replace(c, "iss=[^&]*", "iss=https%3A%2F%2Fattacker.example%2F")),
                ("no iss", c => System.Text.RegularExpressions.Regex.Replace(c, "&iss=[^&]*", "")),
                ("a repeated code", c => c + "&code=again"),
                ("a code outside VSCHAR", c => c.Replace("code=", "code=%0A")),
            })
            {
                var flow = Expect.Value(await Flow.Start(config, deps, store.Save, user, default).ToEither());
                await Run($"Flow.Complete of a callback with {name}", Flow.Complete(config, deps, store.Take, user, alter(await AuthorizeAsync(flow.AuthorizationUrl)), default));
            }
            var mine = Expect.Value(await Flow.Start(config, deps, store.Save, user, default).ToEither());
            var mineCallback = await AuthorizeAsync(mine.AuthorizationUrl);
            await Run("Flow.Complete by another user", Flow.Complete(config, deps, store.Take, Expect.Value(UserKey.From("mallory")), mineCallback, default));
            var other = Expect.Value(await Flow.Start(config, deps, store.Save, user, default).ToEither());
            Shown("Callback.Verify against another flow's pending authorization",
                Callback.Parse(await AuthorizeAsync(other.AuthorizationUrl)).Bind(r => Callback.Verify(r, mine.Pending, user, DateTimeOffset.UtcNow)));
            Authority.DenyAuthorizations = true;
            var denied = Expect.Value(await Flow.Start(config, deps, store.Save, user, default).ToEither());
            await Run("Flow.Complete of access_denied", Flow.Complete(config, deps, store.Take, user, await AuthorizeAsync(denied.AuthorizationUrl), default));
            Authority.DenyAuthorizations = false;

            // An expired state: the flow's clock runs 11 minutes on between start and callback.
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var late = new Dependencies(Secrets.SystemRandom, clock, _http);
            var lateStore = Recording(new InMemoryPendingStore(clock).Ports);
            var expiring = Expect.Value(await Flow.Start(config, late, lateStore.Save, user, default).ToEither());
            clock.Advance(TimeSpan.FromMinutes(11));
            await Run("Flow.Complete of an expired state", Flow.Complete(config, late, lateStore.Take, user, await AuthorizeAsync(expiring.AuthorizationUrl), default));

            // A server failing: HTML 500, then the hostile endpoint's every answer, to the code, the refresh token and a revocation.
            Authority.TokenEndpointFails = true;
            var failing = Expect.Value(await Flow.Start(config, deps, store.Save, user, default).ToEither());
            await Run("Flow.Complete with the token endpoint failing", Flow.Complete(config, deps, store.Take, user, await AuthorizeAsync(failing.AuthorizationUrl), default));
            Authority.TokenEndpointFails = false;
            await HostileAnswers(Hostile(settings), deps, store, user, renewed);
        }
        _ledger.AssertNoLeak("client secret", "code verifier", "authorization code", "access token", "refresh token");
    }

    /// <summary>Redeems a real code, a real refresh token and a real access token at the hostile endpoint, once per answer.</summary>
    private async Task HostileAnswers(PkceSettings settings, Dependencies deps, PendingStore store, UserKey user, TokenSet tokens)
    {
        var config = Expect.Value(Config.Validate(settings));
        var pushing = Expect.Value(Config.Validate(settings with { PushedAuthorizationRequestEndpoint = new Uri(servers.Hostile.BaseAddress, "par").AbsoluteUri }));
        var started = Expect.Value(await Flow.Start(config, deps, store.Save, user, default).ToEither());
        var verified = Expect.Value(await Flow.VerifyCallback(deps.Clock, store.Take, user, await AuthorizeAsync(started.AuthorizationUrl), default).ToEither());
        foreach (var (name, answer) in HostileEndpoint.Answers)
        {
            servers.Hostile.Respond = HostileEndpoint.Respond(answer);
            await Run($"Flow.Start pushed to an endpoint answering with {name}", Flow.Start(pushing, deps, store.Save, user, default));
            await Run($"Token.Exchange answered with {name}", Token.Exchange(config, deps, verified, default));
            await Run($"RefreshRequest.Send answered with {name}", RefreshRequest.Send(config, deps, tokens.RefreshToken.IfNone(""), None, default));
            await Run($"Revocation.Revoke answered with {name}", Revocation.Revoke(config, deps.Http, tokens.AccessToken, false, default));
        }
    }

    [Fact]
    public async Task No_dpop_flow_shows_the_private_key()
    {
        var user = Expect.Value(UserKey.From("alice"));
        using var key = Expect.Value(DpopKey.Generate());
        _ledger.Key(key);
        var binding = new DpopBinding(key);
        var deps = Dependencies.System(_http) with { Dpop = Some(binding) };
        _ledger.Shown("DpopKey.ToString", key.ToString());
        _ledger.Shown("DpopBinding.ToString", binding.ToString());
        _ledger.Shown("Dependencies.ToString", deps.ToString());
        var settings = SettingsOf(Authority.Public);
        var config = Expect.Value(Config.Validate(settings));
        var store = Recording(new InMemoryPendingStore().Ports);

        var started = Expect.Value(await Run("Flow.Start with DPoP", Flow.Start(config, deps, store.Save, user, default)));
        _ledger.Shown("the authorization URL", started.AuthorizationUrl);
        var token = Expect.Value(await Run("Flow.Complete with DPoP", Flow.Complete(config, deps, store.Take, user, await AuthorizeAsync(started.AuthorizationUrl), default)));
        Tokens(token);
        var tokenStore = new InMemoryTokenStore();
        var source = new TokenSource(config, deps, tokenStore.Ports);
        var tokenKey = new TokenKey(user, "api", "api offline_access");
        Tokens(Expect.Value(await Run("TokenSource.Save with DPoP", source.Save(tokenKey, token, default))));
        var renewed = Expect.Value(await Run("TokenSource.Refresh with DPoP", source.Refresh(tokenKey, default)));
        Tokens(renewed);

        // The API through DpopHandler: a good call, then one with a token the API refuses.
        using var api = new HttpClient(new DpopHandler(binding, _ => Task.FromResult(renewed.AccessToken)) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });
        using (var answer = await api.GetAsync(Authority.DpopApiEndpoint)) _ledger.Shown("the DPoP API's answer", await SecretLedger.TextOf(answer));
        using var refused = new HttpClient(new DpopHandler(binding, _ => Task.FromResult("not-a-token")) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false } });
        using (var answer = await refused.GetAsync(Authority.DpopApiEndpoint)) _ledger.Shown("the DPoP API's refusal", await SecretLedger.TextOf(answer));
        await Run("TokenSource.Revoke with DPoP", source.Revoke(tokenKey, default));

        await HostileAnswers(Hostile(settings), deps, store, user, renewed);
        _ledger.AssertNoLeak("DPoP private key", "code verifier", "authorization code", "access token", "refresh token");
    }
}
