using System.Net;
using Pkce.Integration.OidcProvider;

namespace Pkce.Integration.Dpop;

/// <summary>
/// TEST-ONLY steps against an oidc-provider fixture for the DPoP tests, by hand (see <see cref="DpopRequests"/>):
/// the dev-interaction sign-in, the code grant, the refresh grant, and a token request that first learns the nonce
/// when the server requires one.
/// </summary>
internal sealed class ProviderDpop(OidcProviderFixture fixture)
{
    public async Task<(string Code, string Verifier)> AuthorizeAsync(ProviderClient client, params (string, string)[] extra)
    {
        var (verifier, challenge) = DpopRequests.Pkce();
        var url = DpopRequests.AuthorizationUrl(fixture.Metadata.AuthorizationEndpoint, client.ClientId, OidcProviderFixture.FixedRedirectUri, "api", challenge, extra);
        return (DpopRequests.Code(await fixture.SignInAsync(url, "alice")), verifier);
    }

    public Task<Answer> RedeemAsync(ProviderClient client, (string Code, string Verifier) code, string? proof) =>
        TokenAsync(client, proof, ("grant_type", "authorization_code"), ("code", code.Code), ("code_verifier", code.Verifier),
            ("redirect_uri", OidcProviderFixture.FixedRedirectUri));

    public Task<Answer> RefreshAsync(ProviderClient client, string refreshToken, string? proof) =>
        TokenAsync(client, proof, ("grant_type", "refresh_token"), ("refresh_token", refreshToken));

    /// <summary>A token request authenticated as <paramref name="client"/> is registered to (none, Basic, or the secret in the form).</summary>
    private Task<Answer> TokenAsync(ProviderClient client, string? proof, params (string, string)[] form)
    {
        var post = client.Authentication == ClientAuthentication.ClientSecretPost;
        (string, string)[] parameters = [.. form, ("client_id", client.ClientId), .. post ? [("client_secret", client.ClientSecret!)] : System.Array.Empty<(string, string)>()];
        var basic = client.ClientSecret is not null && !post ? client.BasicHeader() : null;
        return DpopRequests.PostAsync(fixture.Metadata.TokenEndpoint, parameters, basic, proof);
    }

    public string TokenProof(TestProofs key, string? nonce = null) => key.Proof("POST", fixture.Metadata.TokenEndpoint.AbsoluteUri, nonce: nonce);

    /// <summary>
    /// Sends <paramref name="send"/> with a proof of <paramref name="key"/>; when the server answers
    /// <c>use_dpop_nonce</c> (it must, if it requires nonces), sends it once more with the nonce it gave.
    /// </summary>
    public async Task<Answer> WithNonceAsync(TestProofs key, Func<string, Task<Answer>> send)
    {
        var first = await send(TokenProof(key));
        if (!fixture.RequiresDpopNonce) return first;
        Assert.True((first.Status, first.Error) == (HttpStatusCode.BadRequest, "use_dpop_nonce"), first.ToString());
        Assert.False(string.IsNullOrEmpty(first.Nonce), first.ToString());
        return await send(TokenProof(key, first.Nonce));
    }
}

/// <summary>DPoP at oidc-provider 9.13.3 started with <c>--dpop-nonce</c> (RFC 9449 §5, §8, §10).</summary>
[Collection(OidcProviderDpopNonceCollection.Name)]
public sealed class OidcProviderDpopNonceTests(OidcProviderDpopNonceFixture fixture) : IDisposable
{
    private readonly ProviderDpop _dpop = new(fixture);
    private readonly TestProofs _key = new();
    private readonly TestProofs _otherKey = new();

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    public static TheoryData<string> Clients => ["public", "basic"];

    private static ProviderClient Client(string kind) => kind == "public" ? OidcProviderFixture.Public : OidcProviderFixture.Basic;

    [Theory]
    [MemberData(nameof(Clients))]
    public async Task A_proof_without_the_nonce_gets_use_dpop_nonce_then_with_it_token_type_DPoP_and_introspection_shows_the_keys_thumbprint(string kind)
    {
        var client = Client(kind);
        var code = await _dpop.AuthorizeAsync(client);
        var answer = await _dpop.WithNonceAsync(_key, proof => _dpop.RedeemAsync(client, code, proof));
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal("DPoP", answer.Text("token_type"));
        Assert.Equal((_key.Thumbprint, "DPoP"), await fixture.ConfirmationAsync(answer.Text("access_token")!));
    }

    [Fact]
    public async Task A_token_request_without_a_proof_still_gets_a_bearer_token()
    {
        var answer = await _dpop.RedeemAsync(OidcProviderFixture.Public, await _dpop.AuthorizeAsync(OidcProviderFixture.Public), proof: null);
        Assert.Equal((HttpStatusCode.OK, "Bearer"), (answer.Status, answer.Text("token_type")));
        Assert.Null((await fixture.ConfirmationAsync(answer.Text("access_token")!)).Thumbprint);
    }

    [Fact]
    public async Task A_public_clients_refresh_token_is_bound_to_the_key_and_refused_with_another()
    {
        var client = OidcProviderFixture.Public;
        var code = await _dpop.AuthorizeAsync(client);
        var refresh = (await _dpop.WithNonceAsync(_key, proof => _dpop.RedeemAsync(client, code, proof))).Text("refresh_token")!;

        var other = await _dpop.WithNonceAsync(_otherKey, proof => _dpop.RefreshAsync(client, refresh, proof));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (other.Status, other.Error));
    }

    [Fact]
    public async Task A_public_clients_refresh_with_the_same_key_keeps_the_binding()
    {
        var client = OidcProviderFixture.Public;
        var code = await _dpop.AuthorizeAsync(client);
        var refresh = (await _dpop.WithNonceAsync(_key, proof => _dpop.RedeemAsync(client, code, proof))).Text("refresh_token")!;

        var answer = await _dpop.WithNonceAsync(_key, proof => _dpop.RefreshAsync(client, refresh, proof));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (answer.Status, answer.Text("token_type")));
        Assert.Equal(_key.Thumbprint, (await fixture.ConfirmationAsync(answer.Text("access_token")!)).Thumbprint);
    }

    [Fact]
    public async Task A_code_bound_with_dpop_jkt_is_refused_with_another_key()
    {
        var client = OidcProviderFixture.Public;
        var code = await _dpop.AuthorizeAsync(client, ("dpop_jkt", _key.Thumbprint));
        var other = await _dpop.WithNonceAsync(_otherKey, proof => _dpop.RedeemAsync(client, code, proof));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (other.Status, other.Error));
    }

    [Fact]
    public async Task A_code_bound_with_dpop_jkt_is_redeemed_with_its_key()
    {
        var client = OidcProviderFixture.Public;
        var code = await _dpop.AuthorizeAsync(client, ("dpop_jkt", _key.Thumbprint));
        var answer = await _dpop.WithNonceAsync(_key, proof => _dpop.RedeemAsync(client, code, proof));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (answer.Status, answer.Text("token_type")));
    }

    [Fact]
    public async Task The_api_asks_for_its_own_nonce_then_accepts_a_good_proof_and_refuses_its_replay()
    {
        var client = OidcProviderFixture.Public;
        var code = await _dpop.AuthorizeAsync(client);
        var tokens = await _dpop.WithNonceAsync(_key, proof => _dpop.RedeemAsync(client, code, proof));
        var token = tokens.Text("access_token")!;
        var api = fixture.DpopApiEndpoint.AbsoluteUri;

        var missing = await DpopRequests.GetAsync(api, "DPoP " + token, _key.Proof("GET", api, token));
        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Contains("error=\"use_dpop_nonce\"", missing.Challenge);
        Assert.False(string.IsNullOrEmpty(missing.Nonce));
        Assert.NotEqual(tokens.Nonce, missing.Nonce);

        var proof = _key.Proof("GET", api, token, missing.Nonce);
        var answer = await DpopRequests.GetAsync(api, "DPoP " + token, proof);
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(("alice", _key.Thumbprint), (answer.Text("sub"), answer.Text("jkt")));

        var replayed = await DpopRequests.GetAsync(api, "DPoP " + token, proof);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.Status);
        Assert.Contains("error=\"invalid_dpop_proof\"", replayed.Challenge);
    }

    [Fact]
    public async Task The_api_refuses_a_stolen_token_with_a_proof_of_another_key()
    {
        var client = OidcProviderFixture.Public;
        var code = await _dpop.AuthorizeAsync(client);
        var token = (await _dpop.WithNonceAsync(_key, proof => _dpop.RedeemAsync(client, code, proof))).Text("access_token")!;
        var api = fixture.DpopApiEndpoint.AbsoluteUri;
        var nonce = (await DpopRequests.GetAsync(api, "DPoP " + token, _otherKey.Proof("GET", api, token))).Nonce;

        var answer = await DpopRequests.GetAsync(api, "DPoP " + token, _otherKey.Proof("GET", api, token, nonce));
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Contains("error=\"invalid_token\"", answer.Challenge);
    }
}

/// <summary>DPoP at the default oidc-provider fixture, which requires no nonce.</summary>
[Collection(OidcProviderCollection.Name)]
public sealed class OidcProviderDpopTests(OidcProviderFixture fixture) : IDisposable
{
    private readonly ProviderDpop _dpop = new(fixture);
    private readonly TestProofs _key = new();

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task A_token_request_with_a_proof_gets_token_type_DPoP_without_any_nonce()
    {
        var code = await _dpop.AuthorizeAsync(OidcProviderFixture.Post);
        var answer = await _dpop.RedeemAsync(OidcProviderFixture.Post, code, _dpop.TokenProof(_key));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (answer.Status, answer.Text("token_type")));
        Assert.Null(answer.Nonce);
        Assert.Equal(_key.Thumbprint, (await fixture.ConfirmationAsync(answer.Text("access_token")!)).Thumbprint);
    }

    [Fact]
    public async Task The_api_accepts_a_good_proof_without_a_nonce_and_refuses_the_token_with_the_bearer_scheme_or_without_a_proof()
    {
        var code = await _dpop.AuthorizeAsync(OidcProviderFixture.Basic);
        var token = (await _dpop.RedeemAsync(OidcProviderFixture.Basic, code, _dpop.TokenProof(_key))).Text("access_token")!;
        var api = fixture.DpopApiEndpoint.AbsoluteUri;

        var answer = await DpopRequests.GetAsync(api, "DPoP " + token, _key.Proof("GET", api, token));
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal((OidcProviderFixture.Basic.ClientId, _key.Thumbprint), (answer.Text("client_id"), answer.Text("jkt")));

        var bearer = await DpopRequests.GetAsync(api, "Bearer " + token);
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.Status);
        Assert.Contains("error=\"invalid_token\"", bearer.Challenge);
        var unproven = await DpopRequests.GetAsync(api, "DPoP " + token);
        Assert.Contains("error=\"invalid_dpop_proof\"", unproven.Challenge);
    }
}
