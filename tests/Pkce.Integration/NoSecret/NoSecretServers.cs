using Pkce.LocalAuthority;

namespace Pkce.Integration.NoSecret;

/// <summary>A local authority, and a hostile endpoint that echoes every request, for the no-secret tests.</summary>
public sealed class NoSecretServers : IAsyncLifetime
{
    public int Port { get; } = Ports.Free();

    /// <summary>Never listened on: the tests play the browser and read the callback URL from the authority's redirect.</summary>
    public string RedirectUri => $"http://127.0.0.1:{Port}/callback";

    public LocalAuthority.LocalAuthority Authority { get; private set; } = null!;

    public TokenEndpointHost Hostile { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [RedirectUri] });
        Hostile = await TokenEndpointHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Hostile.DisposeAsync();
        await Authority.DisposeAsync();
    }
}
