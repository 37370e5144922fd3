using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Pkce.Facade;
using Pkce.Http;
using Pkce.Integration.Conformance;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Authority;

/// <summary>The demo API on the authority (<c>GET /api/me</c>), called with tokens the library obtained.</summary>
public sealed class DemoApiTests : IAsyncLifetime
{
    private LocalAuthority.LocalAuthority _authority = null!;
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly HttpClient _api = new();
    private readonly HttpPort _http = HttpPort.Create();

    public async Task InitializeAsync() => _authority = await LocalAuthority.LocalAuthority.StartAsync();

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        _api.Dispose();
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    /// <summary>Signs <paramref name="user"/> in through the facade, following the authorization redirect headlessly.</summary>
    private async Task<PkceTokenResponse> SignedInAsync(LocalAuthority.LocalAuthority authority, LocalClient client, string user)
    {
        using var pkce = new PkceClient(AuthorityFixture.SettingsFor(authority, client));
        var url = await pkce.GetAuthorizationUrlAsync(user, [new("login_hint", user)]);
        using var redirect = await _browser.GetAsync(url);
        return await pkce.HandleCallbackAsync(user, redirect.Headers.Location!);
    }

    private async Task<(HttpStatusCode Status, AuthenticationHeaderValue? Challenge, string Body)> CallAsync(Uri api, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, api);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _api.SendAsync(request);
        return (response.StatusCode, response.Headers.WwwAuthenticate.SingleOrDefault(), await response.Content.ReadAsStringAsync());
    }

    private static void RefusedAsInvalidToken((HttpStatusCode Status, AuthenticationHeaderValue? Challenge, string Body) answer)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Equal("Bearer", answer.Challenge?.Scheme);
        Assert.Contains("error=\"invalid_token\"", answer.Challenge?.Parameter);
    }

    [Theory]
    [InlineData("public")]
    [InlineData("basic")]
    public async Task The_api_answers_the_subject_client_and_scopes_of_a_token_from_the_library_flow(string kind)
    {
        var client = kind == "public" ? _authority.Public : _authority.Basic;
        var token = await SignedInAsync(_authority, client, "bob");
        var before = _authority.ApiRequests;
        var (status, _, body) = await CallAsync(_authority.ApiEndpoint, token.AccessToken);
        Assert.Equal(HttpStatusCode.OK, status);
        using var json = JsonDocument.Parse(body);
        var me = json.RootElement;
        Assert.Equal(("bob", client.ClientId), (me.GetProperty("sub").GetString(), me.GetProperty("client_id").GetString()));
        Assert.Equal(["api", "offline_access"], me.GetProperty("scope").GetString()!.Split(' ').Order());
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(me.GetProperty("expires_at").GetInt64());
        Assert.InRange(expiresAt, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Equal(before + 1, _authority.ApiRequests);
        Assert.Equal(new Uri(_authority.Issuer, "api/me"), _authority.ApiEndpoint);
    }

    [Fact]
    public async Task A_request_without_a_token_gets_401_and_a_bearer_challenge_without_an_error_code()
    {
        var (status, challenge, _) = await CallAsync(_authority.ApiEndpoint, null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Bearer", challenge?.Scheme);
        Assert.DoesNotContain("error=", challenge?.Parameter ?? "");
    }

    [Fact]
    public async Task A_garbage_token_gets_401_invalid_token() =>
        RefusedAsInvalidToken(await CallAsync(_authority.ApiEndpoint, "not-a-token"));

    [Fact]
    public async Task A_refresh_token_sent_as_a_bearer_token_gets_401_invalid_token()
    {
        var token = await SignedInAsync(_authority, _authority.Public, "carol");
        RefusedAsInvalidToken(await CallAsync(_authority.ApiEndpoint, token.RefreshToken!));
    }

    [Fact]
    public async Task An_access_token_revoked_at_the_revocation_endpoint_gets_401_invalid_token()
    {
        var token = await SignedInAsync(_authority, _authority.Public, "dave");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(_authority.ApiEndpoint, token.AccessToken)).Status);
        var settings = AuthorityFixture.SettingsFor(_authority, _authority.Public) with { RevocationEndpoint = _authority.RevocationEndpoint.AbsoluteUri };
        await Expect.Right(Revocation.Revoke(Expect.Value(Config.Validate(settings)), _http, token.AccessToken, isRefreshToken: false, default));
        RefusedAsInvalidToken(await CallAsync(_authority.ApiEndpoint, token.AccessToken));
    }

    [Fact]
    public async Task An_access_token_past_its_lifetime_gets_401_invalid_token()
    {
        await using var shortLived = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { AccessTokenLifetime = TimeSpan.FromSeconds(2) });
        var token = await SignedInAsync(shortLived, shortLived.Public, "erin");
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(shortLived.ApiEndpoint, token.AccessToken)).Status);
        await Task.Delay(TimeSpan.FromSeconds(3));
        RefusedAsInvalidToken(await CallAsync(shortLived.ApiEndpoint, token.AccessToken));
    }
}
