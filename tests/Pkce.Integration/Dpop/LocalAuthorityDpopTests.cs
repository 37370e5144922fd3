using System.Net;
using System.Text.Json;
using Pkce.LocalAuthority;
using static Pkce.Integration.Dpop.LocalDpop;

namespace Pkce.Integration.Dpop;

/// <summary>
/// DPoP at the local authority's authorization server (RFC 9449 §5, §8, §10): token endpoint, PAR, refresh,
/// discovery, introspection. Proofs come from <see cref="TestProofs"/>, requests are made by hand.
/// </summary>
public sealed class LocalAuthorityDpopTests : IAsyncLifetime
{
    private LocalAuthority.LocalAuthority _authority = null!;
    private readonly TestProofs _key = new();
    private readonly TestProofs _otherKey = new();

    public async Task InitializeAsync() => _authority = await LocalAuthority.LocalAuthority.StartAsync();

    public async Task DisposeAsync()
    {
        _key.Dispose();
        _otherKey.Dispose();
        await _authority.DisposeAsync();
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    public async Task A_token_request_with_a_proof_gets_token_type_DPoP_and_introspection_shows_the_keys_thumbprint(string kind)
    {
        var client = kind == "public" ? _authority.Public : _authority.Basic;
        var answer = await DpopTokenAsync(_authority, client, _key);
        Assert.Equal("DPoP", answer.Text("token_type"));

        var introspection = await _authority.IntrospectAsync(answer.Text("access_token")!);
        Assert.True(introspection.Active);
        Assert.Equal((_key.Thumbprint, "DPoP"), (introspection.ConfirmationThumbprint, introspection.TokenType));
    }

    [Fact]
    public async Task A_token_request_without_a_proof_gets_a_bearer_token_without_cnf()
    {
        var answer = await RedeemAsync(_authority, _authority.Public, await AuthorizeAsync(_authority, _authority.Public), proof: null);
        Assert.Equal((HttpStatusCode.OK, "Bearer"), (answer.Status, answer.Text("token_type")));
        var introspection = await _authority.IntrospectAsync(answer.Text("access_token")!);
        Assert.Null(introspection.ConfirmationThumbprint);
    }

    [Fact]
    public async Task A_proof_for_another_url_is_refused_with_invalid_dpop_proof_and_the_code_stays_redeemable()
    {
        var code = await AuthorizeAsync(_authority, _authority.Public);
        var refused = await RedeemAsync(_authority, _authority.Public, code, _key.Proof("POST", _authority.IntrospectionEndpoint.AbsoluteUri));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_dpop_proof"), (refused.Status, refused.Error));

        var answer = await RedeemAsync(_authority, _authority.Public, code, _key.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (answer.Status, answer.Text("token_type")));
    }

    [Fact]
    public async Task With_RequireDpop_a_token_request_without_a_proof_is_refused_with_invalid_dpop_proof()
    {
        await using var strict = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RequireDpop = true });
        var code = await AuthorizeAsync(strict, strict.Public);
        var refused = await RedeemAsync(strict, strict.Public, code, proof: null);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_dpop_proof"), (refused.Status, refused.Error));
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(strict, strict.Public, code, _key.TokenProof(strict))).Status);
    }

    [Fact]
    public async Task With_RequireDpopNonce_the_token_endpoint_answers_use_dpop_nonce_with_a_nonce_then_accepts_a_proof_carrying_it()
    {
        await using var strict = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RequireDpopNonce = true });
        var code = await AuthorizeAsync(strict, strict.Public);

        var first = await RedeemAsync(strict, strict.Public, code, _key.TokenProof(strict));
        Assert.Equal((HttpStatusCode.BadRequest, "use_dpop_nonce"), (first.Status, first.Error));
        Assert.False(string.IsNullOrEmpty(first.Nonce), first.ToString());

        // The refusal came before the code was looked at: the same code is redeemed with the nonce.
        var second = await RedeemAsync(strict, strict.Public, code, _key.TokenProof(strict, first.Nonce));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (second.Status, second.Text("token_type")));
        Assert.Equal(_key.Thumbprint, (await strict.IntrospectAsync(second.Text("access_token")!)).ConfirmationThumbprint);

        // A rotated nonce: the old one is refused with the new one, which then works (here for a refresh).
        strict.RotateDpopNonces();
        var refresh = second.Text("refresh_token")!;
        var stale = await RefreshAsync(strict, strict.Public, refresh, _key.TokenProof(strict, first.Nonce));
        Assert.Equal((HttpStatusCode.BadRequest, "use_dpop_nonce"), (stale.Status, stale.Error));
        Assert.NotEqual(first.Nonce, stale.Nonce);
        Assert.Equal(HttpStatusCode.OK, (await RefreshAsync(strict, strict.Public, refresh, _key.TokenProof(strict, stale.Nonce))).Status);
    }

    [Fact]
    public async Task A_code_bound_with_dpop_jkt_is_refused_without_a_proof_and_with_another_key_then_redeemed_with_its_own()
    {
        var code = await AuthorizeAsync(_authority, _authority.Public, ("dpop_jkt", _key.Thumbprint));

        var none = await RedeemAsync(_authority, _authority.Public, code, proof: null);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (none.Status, none.Error));
        var other = await RedeemAsync(_authority, _authority.Public, code, _otherKey.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (other.Status, other.Error));

        var own = await RedeemAsync(_authority, _authority.Public, code, _key.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (own.Status, own.Text("token_type")));
    }

    [Fact]
    public async Task A_malformed_dpop_jkt_is_refused_at_the_authorization_endpoint_with_invalid_request()
    {
        var (_, challenge) = DpopRequests.Pkce();
        var url = DpopRequests.AuthorizationUrl(_authority.AuthorizationEndpoint, _authority.Public.ClientId,
            Conformance.AuthorityFixture.RedirectUri, Scope, challenge, ("dpop_jkt", "not-a-thumbprint"));
        using var response = await DpopRequests.Http.GetAsync(url);
        // OpenIddict answers every refusal of its authorization request validation with a page, not a redirect.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("error:invalid_request", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_DPoP_header_at_the_PAR_endpoint_binds_the_code_to_that_key()
    {
        var code = await PushAsync(_key.Proof("POST", _authority.PushedAuthorizationEndpoint.AbsoluteUri));
        var other = await RedeemAsync(_authority, _authority.Par, code, _otherKey.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (other.Status, other.Error));
        Assert.Equal(HttpStatusCode.OK, (await RedeemAsync(_authority, _authority.Par, code, _key.TokenProof(_authority))).Status);
    }

    [Fact]
    public async Task A_dpop_jkt_that_is_not_the_key_of_the_PAR_requests_DPoP_header_is_refused()
    {
        var (_, challenge) = DpopRequests.Pkce();
        var answer = await DpopRequests.PostAsync(_authority.PushedAuthorizationEndpoint,
            PushedForm(challenge, ("dpop_jkt", _otherKey.Thumbprint)), Basic(_authority.Par), _key.Proof("POST", _authority.PushedAuthorizationEndpoint.AbsoluteUri));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request"), (answer.Status, answer.Error));
    }

    [Fact]
    public async Task A_public_clients_refresh_token_is_bound_to_the_key_and_refused_with_another_or_without_a_proof()
    {
        var refresh = (await DpopTokenAsync(_authority, _authority.Public, _key)).Text("refresh_token")!;

        var other = await RefreshAsync(_authority, _authority.Public, refresh, _otherKey.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (other.Status, other.Error));
        var none = await RefreshAsync(_authority, _authority.Public, refresh, proof: null);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (none.Status, none.Error));

        var own = await RefreshAsync(_authority, _authority.Public, refresh, _key.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (own.Status, own.Text("token_type")));
        Assert.Equal(_key.Thumbprint, (await _authority.IntrospectAsync(own.Text("access_token")!)).ConfirmationThumbprint);
    }

    [Fact]
    public async Task A_confidential_clients_refresh_token_is_not_bound_and_a_new_key_binds_the_new_access_token()
    {
        var refresh = (await DpopTokenAsync(_authority, _authority.Basic, _key)).Text("refresh_token")!;
        var answer = await RefreshAsync(_authority, _authority.Basic, refresh, _otherKey.TokenProof(_authority));
        Assert.Equal((HttpStatusCode.OK, "DPoP"), (answer.Status, answer.Text("token_type")));
        Assert.Equal(_otherKey.Thumbprint, (await _authority.IntrospectAsync(answer.Text("access_token")!)).ConfirmationThumbprint);
    }

    [Fact]
    public async Task Discovery_lists_the_dpop_signing_algorithms()
    {
        using var document = JsonDocument.Parse(await DpopRequests.Http.GetStringAsync(_authority.DiscoveryEndpoint));
        var algorithms = document.RootElement.GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString());
        Assert.Equal(["ES256", "PS256", "RS256"], algorithms.Order());
    }

    private (string, string)[] PushedForm(string challenge, params (string, string)[] extra) =>
    [
        ("response_type", "code"), ("client_id", _authority.Par.ClientId), ("redirect_uri", Conformance.AuthorityFixture.RedirectUri),
        ("scope", Scope), ("state", "pushed-state"), ("code_challenge", challenge), ("code_challenge_method", "S256"), .. extra,
    ];

    /// <summary>Pushes an authorization request for the PAR client with <paramref name="proof"/>, follows it, and returns the code.</summary>
    private async Task<(string Code, string Verifier)> PushAsync(string proof)
    {
        var (verifier, challenge) = DpopRequests.Pkce();
        var pushed = await DpopRequests.PostAsync(_authority.PushedAuthorizationEndpoint, PushedForm(challenge), Basic(_authority.Par), proof);
        Assert.True(pushed.Status == HttpStatusCode.Created, pushed.ToString());
        var url = $"{_authority.AuthorizationEndpoint}?client_id={_authority.Par.ClientId}&request_uri={Uri.EscapeDataString(pushed.Text("request_uri")!)}";
        return (await FollowAsync(url), verifier);
    }
}
