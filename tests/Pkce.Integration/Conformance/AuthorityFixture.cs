using Pkce.Http;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Conformance;

/// <summary>One real authorization server for the conformance collection, and the means to talk to it.</summary>
public sealed class AuthorityFixture : IAsyncLifetime
{
    public const string RedirectUri = "http://127.0.0.1:8000/callback";

    public LocalAuthority.LocalAuthority Authority { get; private set; } = null!;

    /// <summary>Plays the browser: requests the authorization URL and returns where the server redirects.</summary>
    public HttpClient Browser { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    public HttpPort Http { get; } = HttpPort.Create();

    /// <summary>The system's random source and clock, and <see cref="Http"/>.</summary>
    public Dependencies Deps => Dependencies.System(Http);

    public async Task InitializeAsync() => Authority = await LocalAuthority.LocalAuthority.StartAsync();

    public async Task DisposeAsync()
    {
        Browser.Dispose();
        Http.Dispose();
        await Authority.DisposeAsync();
    }

    public PkceSettings Settings(LocalClient client) => SettingsFor(Authority, client);

    public static PkceSettings SettingsFor(LocalAuthority.LocalAuthority authority, LocalClient client) => new()
    {
        ClientId = client.ClientId,
        ClientSecret = client.ClientSecret,
        Authentication = client.Kind switch
        {
            LocalClientKind.Public => ClientAuthentication.None,
            LocalClientKind.ConfidentialBasic => ClientAuthentication.ClientSecretBasic,
            _ => ClientAuthentication.ClientSecretPost,
        },
        RedirectUri = RedirectUri,
        Scope = "api offline_access",
        AuthorizationEndpoint = authority.AuthorizationEndpoint.AbsoluteUri,
        TokenEndpoint = authority.TokenEndpoint.AbsoluteUri,
        ExpectedIssuer = authority.Issuer.AbsoluteUri,
        IssuerAlwaysSent = true,
        Timeout = TimeSpan.FromSeconds(10),
    };

    public LocalClient Client(string kind) => kind switch
    {
        "public" => Authority.Public,
        "basic" => Authority.Basic,
        _ => Authority.Post,
    };

    /// <summary>Follows the authorization endpoint's answer to the redirect URI, as a browser would, without a page.</summary>
    public async Task<string> FollowAsync(string authorizationUrl)
    {
        using var response = await Browser.GetAsync(authorizationUrl);
        var location = response.Headers.Location ?? throw new Xunit.Sdk.XunitException(
            $"the authorization endpoint answered {(int)response.StatusCode} without a redirect: {await response.Content.ReadAsStringAsync()}");
        Assert.StartsWith(RedirectUri, location.OriginalString);
        return location.OriginalString;
    }
}

[CollectionDefinition(Name)]
public sealed class AuthorityCollection : ICollectionFixture<AuthorityFixture>
{
    public const string Name = "local authority";
}
