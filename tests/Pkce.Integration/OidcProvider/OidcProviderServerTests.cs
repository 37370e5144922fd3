using System.Net;
using System.Text.Json;

namespace Pkce.Integration.OidcProvider;

/// <summary>
/// What tools/oidc-provider/server.js promises beyond the code flow, checked with plain HTTP because the library
/// does not yet speak it: pushed authorization requests (RFC 9126), refresh with rotation, revocation (RFC 7009).
/// They keep the configuration honest for the library features that will use it; only the code flow goes
/// through the library here.
/// </summary>
[Collection(OidcProviderCollection.Name)]
public sealed class OidcProviderServerTests(OidcProviderFixture fixture)
{
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(Uri endpoint, ProviderClient client, params (string Name, string Value)[] form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Name, p.Value))),
        };
        if (client.ClientSecret is not null) request.Headers.TryAddWithoutValidation("Authorization", client.BasicHeader());
        using var response = await fixture.Raw.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private async Task<TokenResponse> TokenAsync(ProviderClient client)
    {
        var config = Expect.Value(Config.Validate(fixture.Settings(client)));
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));
        var callback = await fixture.SignInAsync(started.AuthorizationUrl, "alice");
        return await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default));
    }

    private async Task<bool> ActiveAsync(string token) => (await fixture.IntrospectAsync(token)).GetProperty("active").GetBoolean();

    [Fact]
    public async Task Par_client_must_push_its_request_and_then_completes_the_flow()
    {
        var config = Expect.Value(Config.Validate(fixture.Settings(OidcProviderFixture.Par)));
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, Alice, default));

        var refused = Expect.Value(Callback.Parse(await fixture.SignInAsync(started.AuthorizationUrl, "alice")));
        Assert.Equal("invalid_request", Assert.IsType<AuthorizationResponse.Refused>(refused).Error);

        // The library's own authorization parameters (client_id included: RFC 9126 §2.1 keeps every authorization
        // request parameter, and oidc-provider requires it beside the Basic header), pushed instead of sent.
        var parameters = QueryString.Parse(new Uri(started.AuthorizationUrl).Query.TrimStart('?'));
        var (status, pushed) = await PostAsync(fixture.Metadata.PushedAuthorizationRequestEndpoint, OidcProviderFixture.Par,
            [.. parameters.Map(p => (p.Name, p.Value))]);
        Assert.True(status == HttpStatusCode.Created, pushed.ToString());
        var requestUri = pushed.GetProperty("request_uri").GetString()!;
        Assert.StartsWith("urn:ietf:params:oauth:request_uri:", requestUri);
        Assert.Equal(60, pushed.GetProperty("expires_in").GetInt32());

        var authorize = $"{fixture.Metadata.AuthorizationEndpoint}?client_id={OidcProviderFixture.Par.ClientId}&request_uri={Uri.EscapeDataString(requestUri)}";
        var callback = await fixture.SignInAsync(authorize, "alice");
        var token = await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, Alice, callback, default));
        Assert.True(await ActiveAsync(token.AccessToken));
    }

    [Fact]
    public async Task Refresh_rotates_for_the_public_client_and_a_reused_refresh_token_revokes_the_grant()
    {
        var first = await TokenAsync(OidcProviderFixture.Public);
        var refreshToken = first.RefreshToken.IfNone(() => throw new Xunit.Sdk.XunitException("no refresh token"));
        (string, string)[] refresh = [("grant_type", "refresh_token"), ("client_id", OidcProviderFixture.Public.ClientId), ("refresh_token", refreshToken)];

        var (status, second) = await PostAsync(fixture.Metadata.TokenEndpoint, OidcProviderFixture.Public, refresh);
        Assert.True(status == HttpStatusCode.OK, second.ToString());
        var rotated = second.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(refreshToken, rotated);
        Assert.Equal("Bearer", second.GetProperty("token_type").GetString());

        var (reusedStatus, reused) = await PostAsync(fixture.Metadata.TokenEndpoint, OidcProviderFixture.Public, refresh);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_grant"), (reusedStatus, reused.GetProperty("error").GetString()));
        Assert.False(await ActiveAsync(rotated));
        Assert.False(await ActiveAsync(second.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task Revoking_the_access_token_deactivates_it_and_its_refresh_token()
    {
        var token = await TokenAsync(OidcProviderFixture.Basic);
        Assert.True(await ActiveAsync(token.AccessToken));

        var (status, _) = await PostAsync(fixture.Metadata.RevocationEndpoint, OidcProviderFixture.Basic,
            ("token", token.AccessToken), ("token_type_hint", "access_token"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(await ActiveAsync(token.AccessToken));
        Assert.False(await ActiveAsync(token.RefreshToken.IfNone("")));
    }
}
