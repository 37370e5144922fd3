using Pkce.Facade;
using Pkce.Integration.NoSecret;
using Pkce.LocalAuthority;

namespace Pkce.Integration;

/// <summary>No secret anywhere, the facade: the composition-style client and the seed-style manager, each flow and each failure as its exception.</summary>
public sealed partial class NoSecretAnywhereTests
{
    /// <summary>A seed-style manager keeping each user's secrets in a dictionary (and recording the verifier).</summary>
    private sealed class Manager(LocalClient client, string redirectUri, string root, string authorizePath, string tokenPath, string issuer, SecretLedger ledger)
        : PkceFlowManager<string>
    {
        private readonly Dictionary<string, UserSecrets> _rows = new();

        public override string ClientId => client.ClientId;
        public override string? ClientSecret => client.ClientSecret;
        public override string RedirectUri => redirectUri;
        public override string RootUrl => root;
        public override string AuthorizePath => authorizePath;
        public override string TokenPath => tokenPath;
        public override string? Scope => "api offline_access";
        public override string? ExpectedIssuer => issuer;

        protected override Task StoreUserSecretsAsync(string user, UserSecrets secrets, CancellationToken ct)
        {
            ledger.Secret("code verifier", secrets.CodeVerifier);
            ledger.Shown("UserSecrets.ToString", secrets.ToString());
            lock (_rows) _rows[user] = secrets;
            return Task.CompletedTask;
        }

        protected override Task<UserSecrets?> TakeUserSecretsAsync(string user, string state, CancellationToken ct)
        {
            lock (_rows) return Task.FromResult(_rows.Remove(user, out var row) && row.State == state ? row : null);
        }
    }

    /// <summary>Runs a facade call; an exception is shown as an application would log it (message, ToString, the error, its properties).</summary>
    private async Task<T?> Call<T>(string where, Func<Task<T>> call) where T : class
    {
        try
        {
            var value = await call();
            _ledger.Shown(where, value.ToString());
            return value;
        }
        catch (PkceException e)
        {
            _ledger.Shown(where, e);
            _ledger.Shown(where + " (Error)", e.Error.ToString());
            if (e is PkceFlowException flow) _ledger.Shown(where + " (properties)", $"{flow.OAuthError} {flow.ErrorDescription} {flow.StatusCode} {flow.ResponseBody}");
            if (e is AuthorizationDeniedException denied) _ledger.Shown(where + " (properties)", $"{denied.OAuthError} {denied.ErrorDescription} {denied.ErrorUri}");
            return null;
        }
    }

    private void Tokens(PkceTokenResponse? response)
    {
        if (response is null) throw new Xunit.Sdk.XunitException("the flow failed");
        Tokens(response.Parsed);
    }

    [Fact]
    public async Task No_facade_flow_shows_a_secret()
    {
        foreach (var client in Authority.Clients)
        {
            _ledger.Secret("client secret", client.ClientSecret);
            var settings = SettingsOf(client);

            // PkceClient: a success, then each failure as its exception.
            using var pkce = new PkceClient(settings, Recording(new InMemoryPendingStore().Ports));
            var url = await Call("PkceClient.GetAuthorizationUrlAsync", () => pkce.GetAuthorizationUrlAsync("alice"));
            var callback = await AuthorizeAsync(url!);
            Tokens(await Call("PkceClient.HandleCallbackAsync", () => pkce.HandleCallbackAsync("alice", callback)));
            await Call("PkceClient.HandleCallbackAsync of a replayed callback", () => pkce.HandleCallbackAsync("alice", callback));
            var forged = await AuthorizeAsync((await pkce.GetAuthorizationUrlAsync("alice")));
            await Call("PkceClient.HandleCallbackAsync of a forged state", () => pkce.HandleCallbackAsync("alice", forged.Replace("state=", "state=x")));
            var parts = QueryString.Parse(new Uri(await AuthorizeAsync(await pkce.GetAuthorizationUrlAsync("alice"))).Query).ToDictionary(p => p.Name, p => p.Value);
            await Call("PkceClient.FetchAccessTokenAsync by another user", () => pkce.FetchAccessTokenAsync("bob", parts["state"], parts["code"], parts["iss"]));
            Authority.DenyAuthorizations = true;
            var denied = await AuthorizeAsync(await pkce.GetAuthorizationUrlAsync("alice"));
            await Call("PkceClient.HandleCallbackAsync of access_denied", () => pkce.HandleCallbackAsync("alice", denied));
            Authority.DenyAuthorizations = false;
            Authority.TokenEndpointFails = true;
            var failing = await AuthorizeAsync(await pkce.GetAuthorizationUrlAsync("alice"));
            await Call("PkceClient.HandleCallbackAsync with the token endpoint failing", () => pkce.HandleCallbackAsync("alice", failing));
            Authority.TokenEndpointFails = false;
            using var hostile = new PkceClient(Hostile(settings), Recording(new InMemoryPendingStore().Ports));
            foreach (var (name, answer) in HostileEndpoint.Answers)
            {
                servers.Hostile.Respond = HostileEndpoint.Respond(answer);
                var hostileCallback = await AuthorizeAsync(await hostile.GetAuthorizationUrlAsync("alice"));
                await Call($"PkceClient.HandleCallbackAsync answered with {name}", () => hostile.HandleCallbackAsync("alice", hostileCallback));
            }
            await Call("new PkceClient with a secret and no authentication", () => Task.FromResult(new PkceClient(settings with { Authentication = ClientAuthentication.None, RedirectUri = "callback" })));

            // The seed-style manager: the same.
            var issuer = Authority.Issuer.AbsoluteUri;
            using var manager = new Manager(client, servers.RedirectUri, issuer, "connect/authorize", "connect/token", issuer, _ledger);
            var managerUrl = await Call("PkceFlowManager.GetAuthorizationUrlAsync", () => manager.GetAuthorizationUrlAsync("alice"));
            var managerCallback = await AuthorizeAsync(managerUrl!);
            Tokens(await Call("PkceFlowManager.HandleCallbackAsync", () => manager.HandleCallbackAsync("alice", managerCallback)));
            await Call("PkceFlowManager.HandleCallbackAsync of a replayed callback", () => manager.HandleCallbackAsync("alice", managerCallback));
            var stale = await AuthorizeAsync(await manager.GetAuthorizationUrlAsync("alice"));
            var fresh = await AuthorizeAsync(await manager.GetAuthorizationUrlAsync("alice"));
            await Call("PkceFlowManager.HandleCallbackAsync of a superseded state", () => manager.HandleCallbackAsync("alice", stale));
            var freshParts = QueryString.Parse(new Uri(fresh).Query).ToDictionary(p => p.Name, p => p.Value);
            await Call("PkceFlowManager.FetchAccessTokenAsync without iss", () => manager.FetchAccessTokenAsync("alice", freshParts["state"], freshParts["code"], null));
            // The hostile server is the manager's whole root: it never issues a code, so the callback carries one made here.
            using var hostileManager = new Manager(client, servers.RedirectUri, servers.Hostile.BaseAddress.AbsoluteUri, "authorize", "token", issuer, _ledger);
            foreach (var (name, answer) in HostileEndpoint.Answers)
            {
                servers.Hostile.Respond = HostileEndpoint.Respond(answer);
                var state = QueryString.Parse(new Uri(await hostileManager.GetAuthorizationUrlAsync("alice")).Query).Single(p => p.Name == "state").Value;
                var code = "code-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
                _ledger.Secret("authorization code", code);
                await Call($"PkceFlowManager.FetchAccessTokenAsync answered with {name}", () => hostileManager.FetchAccessTokenAsync("alice", state, code, issuer));
            }
        }
        _ledger.AssertNoLeak("client secret", "code verifier", "authorization code", "access token", "refresh token");
    }
}
