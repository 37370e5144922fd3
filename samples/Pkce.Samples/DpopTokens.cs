using Pkce.Facade;
using Pkce.Http;

namespace Pkce.Samples;

/// <summary>README: "Tokens bound to a key: DPoP". The lifecycle sample's app, with tokens only its key can use.</summary>
public sealed class DpopTokens(PkceConfig config, Dependencies deps, TokenSource tokens)
{
    public Dependencies Deps => deps;

    public static DpopTokens Create(PkceConfig config, HttpPort http, TokenStore store)
    {
        // README:dpop-setup
        // One key for this client instance (keep DpopKey.Export() as a secret beside the tokens; DpopKey.Import reads it back).
        var key = DpopKey.Generate("ES256").Match(k => k, e => throw new InvalidOperationException(e.Message));
        var deps = Dependencies.System(http) with { Dpop = new DpopBinding(key) };
        // Everything else as before: dpop_jkt goes with the authorization request (or the pushed one), every token
        // request carries a proof, and only token_type DPoP is accepted back. Refreshes use the same key.
        var tokens = new TokenSource(config, deps, store);
        // README:end
        return new DpopTokens(config, deps, tokens);
    }

    public Task<string> SignInAsync(InMemoryPendingStore pending, UserKey user, CancellationToken ct) =>
        Flow.Start(config, deps, pending.Save, user, ct).Match(s => s.AuthorizationUrl, e => throw new InvalidOperationException(e.Message));

    public Task<TokenSet> CallbackAsync(InMemoryPendingStore pending, UserKey user, string callbackUrl, CancellationToken ct) =>
        (from token in Flow.Complete(config, deps, pending.Take, user, callbackUrl, ct)
         from kept in tokens.Save(new TokenKey(user, "api", "api offline_access"), token, ct)
         select kept).Match(t => t, e => throw new InvalidOperationException(e.Message));

    public HttpClient ApiClient(UserKey user)
    {
        // README:dpop-api
        // Calling the API: each request gets Authorization: DPoP and a fresh proof (method, URL, token hash, the
        // server's nonce); a 401 asking for a nonce (use_dpop_nonce) is answered once with it.
        var key = new TokenKey(user, "api", "api offline_access");
        var binding = deps.Dpop.IfNone(() => throw new InvalidOperationException("no DPoP key"));
        return new HttpClient(new DpopHandler(binding, ct => tokens.Get(key, ct).Match(t => t.AccessToken, e => throw new InvalidOperationException(e.Message)))
        {
            InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false },
        });
        // README:end
    }

    public static PkceClient Facade(PkceSettings settings, DpopKey key) =>
        // README:dpop-facade
        // The composition-style client with a key: the same calls, DPoP-bound tokens; call the API through new DpopHandler(client.Dpop!, ...).
        new PkceClient(settings, key);
        // README:end
}
