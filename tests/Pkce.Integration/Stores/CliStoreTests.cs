using System.Text.Json;
using Pkce.Cli;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Stores;

/// <summary><c>pkce login --store</c> with each store, against the local authority.</summary>
[Collection(RedisCollection.Name)]
public sealed class CliStoreTests(RedisServer server) : IAsyncLifetime
{
    private readonly int _port = Ports.Free();
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-cli-store-").FullName;
    private LocalAuthority.LocalAuthority _authority = null!;

    private string RedirectUri => $"http://127.0.0.1:{_port}/callback";

    public async Task InitializeAsync() =>
        _authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [RedirectUri] });

    public async Task DisposeAsync()
    {
        await _authority.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(int Exit, string Out, string Error)> LoginAsync(string store)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var exit = await Commands.RunAsync(
            ["login", "--authorization-endpoint", _authority.AuthorizationEndpoint.AbsoluteUri, "--token-endpoint", _authority.TokenEndpoint.AbsoluteUri,
             "--client-id", _authority.Public.ClientId, "--scope", "api", "--redirect-uri", RedirectUri, "--store", store],
            new Terminal(stdout, stderr, false), Browsers.FollowRedirect(browser));
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("sqlite")]
    [InlineData("redis")]
    public async Task Login_works_with_each_store(string kind)
    {
        var store = kind switch
        {
            "sqlite" => "sqlite:" + Path.Combine(_directory, "pending.db"),
            "redis" => "redis:" + server.Configuration,
            _ => "memory",
        };
        var (exit, stdout, stderr) = await LoginAsync(store);
        Assert.True(exit == ExitCodes.Success, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.True((await _authority.IntrospectAsync(json.RootElement.GetProperty("access_token").GetString()!)).Active);
        if (kind == "sqlite") Assert.True(File.Exists(Path.Combine(_directory, "pending.db")));
    }

    [Fact]
    public async Task An_unknown_store_is_an_invalid_option()
    {
        var (exit, stdout, stderr) = await LoginAsync("postgres:somewhere");
        Assert.Equal((ExitCodes.InvalidOptions, ""), (exit, stdout));
        Assert.Contains("pkce: invalid options: --store 'postgres:somewhere' is not one of memory, sqlite:PATH, redis:CONNECTION", stderr);
    }
}
