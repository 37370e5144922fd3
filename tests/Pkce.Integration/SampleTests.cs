using Pkce.Http;
using Pkce.Samples;

namespace Pkce.Integration;

/// <summary>The README's samples, run against an endpoint on 127.0.0.1.</summary>
public sealed class SampleTests : IAsyncLifetime
{
    private TokenEndpointHost _server = null!;

    public async Task InitializeAsync() => _server = await TokenEndpointHost.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Core_pipeline_sample_signs_in_and_refuses_a_replay()
    {
        var config = CorePipeline.Configure(_server.BaseAddress.AbsoluteUri);
        var store = new InMemoryPendingStore();
        using var http = HttpPort.Create();
        var deps = Dependencies.System(http);
        var user = Flows.Alice;
        var url = new Uri(await CorePipeline.LoginAsync(config, deps, store, user, default));
        Assert.Equal(new Uri(_server.BaseAddress, "authorize").AbsolutePath, url.AbsolutePath);
        var state = QueryString.Parse(url.Query).Single(p => p.Name == "state").Value;
        var callback = $"http://127.0.0.1:8000/oauth/callback?code=abc&state={state}";
        Assert.Equal("signed in: Bearer token, expires in ?", await CorePipeline.CallbackAsync(config, deps, store, user, callback, default));
        Assert.Equal("this sign-in link is stale or forged; start again", await CorePipeline.CallbackAsync(config, deps, store, user, callback, default));
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task Sqlite_store_sample_completes_a_flow_through_the_file()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("pkce-sample-").FullName, "pkce.db");
        var settings = new PkceSettings { ClientId = "my-app", RedirectUri = "http://127.0.0.1:8000/cb", RootUrl = _server.BaseAddress.AbsoluteUri };
        using var client = Pkce.Samples.Stores.WithSqlite(settings, path);
        var url = new Uri(await client.GetAuthorizationUrlAsync("alice"));
        Assert.True(File.Exists(path));
        var state = QueryString.Parse(url.Query).Single(p => p.Name == "state").Value;
        var token = await client.FetchAccessTokenAsync("alice", state, "code", null);
        Assert.Equal("AT", token.AccessToken);
    }
}
