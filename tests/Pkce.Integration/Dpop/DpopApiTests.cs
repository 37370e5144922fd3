using System.Net;
using Pkce.LocalAuthority;
using static Pkce.Integration.Dpop.LocalDpop;

namespace Pkce.Integration.Dpop;

/// <summary>
/// The local authority's DPoP demo API (<c>GET /api/dpop/me</c>) against RFC 9449 §4.3, §7 and §9: one good
/// request, then each check broken on its own.
/// </summary>
public sealed class DpopApiTests : IAsyncLifetime
{
    private LocalAuthority.LocalAuthority _authority = null!;
    private readonly TestProofs _key = new();
    private readonly TestProofs _otherKey = new();
    private string _token = null!;

    public async Task InitializeAsync()
    {
        _authority = await LocalAuthority.LocalAuthority.StartAsync();
        _token = (await DpopTokenAsync(_authority, _authority.Public, _key)).Text("access_token")!;
    }

    public async Task DisposeAsync()
    {
        _key.Dispose();
        _otherKey.Dispose();
        await _authority.DisposeAsync();
    }

    private string Api => _authority.DpopApiEndpoint.AbsoluteUri;

    private string GoodProof(string? nonce = null) => _key.Proof("GET", Api, _token, nonce);

    private static void Refused(Answer answer, string error)
    {
        Assert.True(answer.Status == HttpStatusCode.Unauthorized, answer.ToString());
        Assert.StartsWith("DPoP ", answer.Challenge);
        Assert.Contains($"error=\"{error}\"", answer.Challenge);
    }

    [Fact]
    public async Task The_api_accepts_a_good_proof_and_answers_who_the_token_speaks_for_and_its_key()
    {
        var before = _authority.DpopApiRequests;
        var answer = await DpopRequests.GetAsync(Api, "DPoP " + _token, GoodProof());
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        Assert.Equal((LocalAuthority.LocalAuthority.DefaultSubject, _authority.Public.ClientId, _key.Thumbprint),
            (answer.Text("sub"), answer.Text("client_id"), answer.Text("jkt")));
        Assert.Equal(before + 1, _authority.DpopApiRequests);
    }

    [Fact]
    public async Task The_query_is_not_part_of_htu()
    {
        var answer = await DpopRequests.GetAsync(Api + "?page=2", "DPoP " + _token, GoodProof());
        Assert.Equal(HttpStatusCode.OK, answer.Status);
    }

    [Fact]
    public async Task A_request_without_credentials_gets_a_DPoP_challenge_with_algs_and_no_error()
    {
        var answer = await DpopRequests.GetAsync(Api, null);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("DPoP algs=\"ES256 RS256 PS256\"", answer.Challenge);
    }

    [Fact]
    public async Task A_request_without_a_proof_is_refused_with_invalid_dpop_proof() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token), "invalid_dpop_proof");

    [Fact]
    public async Task A_request_with_two_proofs_is_refused_with_invalid_dpop_proof() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, GoodProof(), GoodProof()), "invalid_dpop_proof");

    [Fact]
    public async Task A_DPoP_bound_token_sent_with_the_Bearer_scheme_is_refused_here_and_at_the_bearer_api()
    {
        Refused(await DpopRequests.GetAsync(Api, "Bearer " + _token, GoodProof()), "invalid_token");

        var bearerApi = await DpopRequests.GetAsync(_authority.ApiEndpoint.AbsoluteUri, "Bearer " + _token);
        Assert.Equal(HttpStatusCode.Unauthorized, bearerApi.Status);
        Assert.StartsWith("Bearer ", bearerApi.Challenge);
        Assert.Contains("error=\"invalid_token\"", bearerApi.Challenge);
    }

    [Fact]
    public async Task A_proof_for_another_method_is_refused() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, _key.Proof("POST", Api, _token)), "invalid_dpop_proof");

    [Fact]
    public async Task A_proof_for_another_url_is_refused() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, _key.Proof("GET", _authority.ApiEndpoint.AbsoluteUri, _token)), "invalid_dpop_proof");

    [Fact]
    public async Task A_proof_made_five_minutes_ago_is_refused() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, _key.Proof("GET", Api, _token, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-5))), "invalid_dpop_proof");

    [Fact]
    public async Task A_proof_dated_five_minutes_ahead_is_refused() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, _key.Proof("GET", Api, _token, issuedAt: DateTimeOffset.UtcNow.AddMinutes(5))), "invalid_dpop_proof");

    [Fact]
    public async Task A_replayed_proof_is_refused()
    {
        var proof = GoodProof();
        Assert.Equal(HttpStatusCode.OK, (await DpopRequests.GetAsync(Api, "DPoP " + _token, proof)).Status);
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, proof), "invalid_dpop_proof");
    }

    [Fact]
    public async Task A_proof_with_the_hash_of_another_token_is_refused() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, _key.Proof("GET", Api, "another token")), "invalid_dpop_proof");

    [Fact]
    public async Task A_proof_without_ath_is_refused() =>
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, _key.Proof("GET", Api)), "invalid_dpop_proof");

    [Fact]
    public async Task A_stolen_token_with_a_proof_of_another_key_is_refused_as_invalid_token()
    {
        var answer = await DpopRequests.GetAsync(Api, "DPoP " + _token, _otherKey.Proof("GET", Api, _token));
        Refused(answer, "invalid_token");
        Assert.Contains("Invalid DPoP key binding", answer.Challenge);
    }

    [Theory]
    [InlineData("typ")]
    [InlineData("alg")]
    [InlineData("private key")]
    [InlineData("signature")]
    public async Task A_malformed_proof_is_refused(string broken)
    {
        var proof = _key.Proof("GET", Api, _token, header: header =>
        {
            if (broken == "typ") header["typ"] = "JWT";
            if (broken == "alg") header["alg"] = "HS256";
            if (broken == "private key") header["jwk"]!["d"] = _key.PrivateScalar();
        });
        if (broken == "signature") proof = proof[..^4] + (proof[^4] == 'A' ? "BAAA" : "AAAA");
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + _token, proof), "invalid_dpop_proof");
    }

    [Fact]
    public async Task A_bearer_token_sent_with_the_DPoP_scheme_is_refused_as_not_bound()
    {
        var bearer = (await RedeemAsync(_authority, _authority.Public, await AuthorizeAsync(_authority, _authority.Public), proof: null)).Text("access_token")!;
        Refused(await DpopRequests.GetAsync(Api, "DPoP " + bearer, _key.Proof("GET", Api, bearer)), "invalid_token");
    }

    [Fact]
    public async Task With_RequireDpopNonceAtApi_a_proof_without_the_apis_nonce_gets_use_dpop_nonce_and_one_with_it_succeeds()
    {
        await using var strict = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RequireDpopNonce = true, RequireDpopNonceAtApi = true });
        var code = await AuthorizeAsync(strict, strict.Public);
        var serverNonce = (await RedeemAsync(strict, strict.Public, code, _key.TokenProof(strict))).Nonce!;
        var token = (await RedeemAsync(strict, strict.Public, code, _key.TokenProof(strict, serverNonce))).Text("access_token")!;
        var api = strict.DpopApiEndpoint.AbsoluteUri;

        var missing = await DpopRequests.GetAsync(api, "DPoP " + token, _key.Proof("GET", api, token));
        Refused(missing, "use_dpop_nonce");
        Assert.False(string.IsNullOrEmpty(missing.Nonce));
        // RFC 9449 §9: the authorization server's nonce is not the API's.
        Assert.NotEqual(serverNonce, missing.Nonce);
        Refused(await DpopRequests.GetAsync(api, "DPoP " + token, _key.Proof("GET", api, token, serverNonce)), "use_dpop_nonce");

        var answer = await DpopRequests.GetAsync(api, "DPoP " + token, _key.Proof("GET", api, token, missing.Nonce));
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
    }
}
