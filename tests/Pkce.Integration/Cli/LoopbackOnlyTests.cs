using System.Net;
using System.Net.Sockets;
using Pkce.Cli;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Cli;

/// <summary>
/// The command's listener and the local authority listen on 127.0.0.1 whatever the configuration says: ASP.NET Core's
/// builders read <c>appsettings.json</c> from the working directory and unprefixed environment variables, and
/// <c>Kestrel:Endpoints</c> there would otherwise move them onto every interface (the authority with its shipped
/// signing key). These tests change the process's environment and working directory, so they run alone.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class LoopbackOnlyTests : IDisposable
{
    private const string EndpointVariable = "Kestrel__Endpoints__Http__Url";
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-loopback-").FullName;
    private readonly string _workingDirectory = Environment.CurrentDirectory;

    public void Dispose()
    {
        foreach (var variable in (string[])[EndpointVariable, "ASPNETCORE_URLS", "ASPNETCORE_PREFERHOSTINGURLS", "ASPNETCORE_HTTP_PORTS"])
            Environment.SetEnvironmentVariable(variable, null);
        Environment.CurrentDirectory = _workingDirectory;
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Any, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Nothing listens on <paramref name="port"/> of any interface: it can be bound on 0.0.0.0.</summary>
    private static void NothingListensOnEveryInterface(int port)
    {
        using var probe = new TcpListener(IPAddress.Any, port);
        probe.Start();
    }

    private static void IsLoopback(Uri address, int wildcardPort)
    {
        Assert.Equal("127.0.0.1", address.Host);
        Assert.NotEqual(wildcardPort, address.Port);
    }

    /// <summary>The local authority, then the callback listener, start on 127.0.0.1 and not on <paramref name="port"/> of every interface.</summary>
    private static async Task BothStayOnLoopback(int port)
    {
        await using (var authority = await LocalAuthority.LocalAuthority.StartAsync())
        {
            IsLoopback(authority.Issuer, port);
            NothingListensOnEveryInterface(port);
        }
        await using (var listener = await CallbackListener.StartAsync(new Uri("http://127.0.0.1:0/callback"), _ => { }, default))
        {
            IsLoopback(listener.RedirectUri, port);
            NothingListensOnEveryInterface(port);
        }
    }

    [Fact]
    public async Task An_endpoint_in_the_environment_does_not_move_the_callback_listener_off_loopback()
    {
        var port = FreePort();
        Environment.SetEnvironmentVariable(EndpointVariable, $"http://0.0.0.0:{port}");
        await using var listener = await CallbackListener.StartAsync(new Uri("http://127.0.0.1:0/callback"), _ => { }, default);
        IsLoopback(listener.RedirectUri, port);
        NothingListensOnEveryInterface(port);
    }

    [Fact]
    public async Task An_endpoint_in_the_environment_does_not_move_the_local_authority_off_loopback()
    {
        var port = FreePort();
        Environment.SetEnvironmentVariable(EndpointVariable, $"http://0.0.0.0:{port}");
        await using var authority = await LocalAuthority.LocalAuthority.StartAsync();
        IsLoopback(authority.Issuer, port);
        NothingListensOnEveryInterface(port);
    }

    [Fact]
    public async Task An_appsettings_file_in_the_working_directory_moves_neither_off_loopback()
    {
        var port = FreePort();
        File.WriteAllText(Path.Combine(_directory, "appsettings.json"), "{\"Kestrel\":{\"Endpoints\":{\"Http\":{\"Url\":\"http://0.0.0.0:" + port + "\"}}}}");
        Environment.CurrentDirectory = _directory;
        await BothStayOnLoopback(port);
    }

    [Fact]
    public async Task Hosting_urls_preferred_by_the_environment_move_neither_off_loopback()
    {
        var port = FreePort();
        Environment.SetEnvironmentVariable("ASPNETCORE_URLS", $"http://0.0.0.0:{port}");
        Environment.SetEnvironmentVariable("ASPNETCORE_PREFERHOSTINGURLS", "true");
        await BothStayOnLoopback(port);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", true)]
    [InlineData("http://[::1]:5000", true)]
    [InlineData("http://0.0.0.0:5000", false)]
    [InlineData("http://[::]:5000", false)]
    [InlineData("http://localhost:5000", false)]
    [InlineData("http://192.168.1.2:5000", false)]
    [InlineData("not an address", false)]
    public void Only_a_loopback_ip_address_counts_as_loopback(string address, bool loopback) =>
        Assert.Equal(loopback, LoopbackKestrel.IsLoopback(address));

    [Fact]
    public void The_refusal_names_the_addresses_and_says_the_server_was_stopped()
    {
        var refusal = new NotLoopbackException("the local authority", ["http://0.0.0.0:5000"]);
        Assert.IsAssignableFrom<IOException>(refusal);
        Assert.Equal("the local authority was bound to http://0.0.0.0:5000, which is not loopback; it was stopped", refusal.Message);
    }
}
