
using Microsoft.AspNetCore.Http;
using Pkce.Http;
using Microsoft.Extensions.DependencyInjection;
using Pkce.Facade;

namespace Pkce.Integration;

/// <summary>
/// Issue 10, finding 1: a caller's <see cref="HttpClient"/> follows redirects on its own. Whatever client is given,
/// the code, the verifier and the client secret go to the configured token endpoint only, and an answer from any
/// other address is never taken as a token. A second host on 127.0.0.1 plays the attacker's <c>Location</c>.
/// </summary>
public sealed class RedirectTests : IAsyncLifetime
{
    private const string Secret = "s3cret-of-the-client";
    private TokenEndpointHost _token = null!;
    private TokenEndpointHost _elsewhere = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        (_token, _elsewhere) = (await TokenEndpointHost.StartAsync(), await TokenEndpointHost.StartAsync());
        _services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _token.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    public static TheoryData<int, string, ClientAuthentication> Cases()
    {
        var data = new TheoryData<int, string, ClientAuthentication>();
        foreach (var status in new[] { 301, 302, 303, 307, 308 })
        foreach (var client in new[] { "new HttpClient()", "IHttpClientFactory" })
        foreach (var method in new[] { ClientAuthentication.ClientSecretPost, ClientAuthentication.ClientSecretBasic })
            data.Add(status, client, method);
        return data;
    }

    private HttpClient Client(string kind) =>
        kind == "IHttpClientFactory" ? _services.GetRequiredService<IHttpClientFactory>().CreateClient() : new HttpClient();

    private void RedirectEverything(int status) => _token.Respond = context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = new Uri(_elsewhere.BaseAddress, "steal").AbsoluteUri;
        return Task.CompletedTask;
    };

    /// <summary>The other host got nothing that identifies the flow or the client: no body, no credentials.</summary>
    private void NothingLeaked()
    {
        foreach (var request in _elsewhere.Received)
        {
            Assert.Empty(request.Form);
            Assert.Null(request.Authorization);
        }
        Assert.Single(_token.Received);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Core_never_sends_the_code_or_accepts_an_answer_from_a_redirect_target(int status, string client, ClientAuthentication method)
    {
        RedirectEverything(status);
        using var http = HttpPort.Of(Client(client));
        var error = Expect.Left(await Flows.CompleteAsync(Flows.Config(_token.TokenEndpoint, method, Secret), http));
        Assert.IsType<PkceError.RedirectRefused>(error);
        NothingLeaked();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PkceClient_never_sends_the_code_or_accepts_an_answer_from_a_redirect_target(int status, string client, ClientAuthentication method)
    {
        RedirectEverything(status);
        var config = Flows.Config(_token.TokenEndpoint, method, Secret);
        using var pkce = new PkceClient(Settings(method), httpClient: Client(client));
        var url = await pkce.GetAuthorizationUrlAsync("alice");
        var state = QueryOf(url)["state"];
        var error = await Assert.ThrowsAsync<PkceFlowException>(() =>
            pkce.HandleCallbackAsync("alice", $"{config.Client.RedirectUri}?code=code-123&state={state}"));
        Assert.Equal("redirect_refused", error.Code);
        NothingLeaked();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Manager_never_sends_the_code_or_accepts_an_answer_from_a_redirect_target(int status, string client, ClientAuthentication method)
    {
        RedirectEverything(status);
        using var manager = new TestManager(Settings(method), Client(client));
        var url = await manager.GetAuthorizationUrlAsync("alice");
        var error = await Assert.ThrowsAsync<PkceFlowException>(() =>
            manager.FetchAccessTokenAsync("alice", QueryOf(url)["state"], "code-123", null));
        Assert.Equal("redirect_refused", error.Code);
        NothingLeaked();
    }

    [Fact]
    public async Task An_answer_without_a_redirect_still_arrives_through_a_caller_client()
    {
        using var http = HttpPort.Of(new HttpClient());
        var token = Expect.Right(await Flows.CompleteAsync(Flows.Config(_token.TokenEndpoint, ClientAuthentication.ClientSecretPost, Secret), http));
        Assert.Equal("AT", token.AccessToken);
        Assert.Equal(Secret, Assert.Single(_token.Received).Form["client_secret"]);
    }

    private PkceSettings Settings(ClientAuthentication method) => new()
    {
        ClientId = "client one",
        ClientSecret = Secret,
        Authentication = method,
        RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = new Uri(_token.BaseAddress, "authorize").AbsoluteUri,
        TokenEndpoint = _token.TokenEndpoint.AbsoluteUri,
        Timeout = TimeSpan.FromSeconds(10),
    };

    private static Dictionary<string, string> QueryOf(string url) =>
        QueryString.Parse(new Uri(url).Query.TrimStart('?')).ToDictionary(p => p.Name, p => p.Value);
}

/// <summary>A seed-style manager from settings, with the compare-and-delete hooks a real store would have.</summary>
internal sealed class TestManager(PkceSettings settings, HttpClient? http = null) : PkceFlowManager<string>(http)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, UserSecrets> _rows = new();

    public override string ClientId => settings.ClientId!;
    public override string? ClientSecret => settings.ClientSecret;
    public override ClientAuthentication? ClientAuthentication => settings.Authentication;
    public override string RedirectUri => settings.RedirectUri!;
    public override string RootUrl => new Uri(new Uri(settings.TokenEndpoint!), "./").AbsoluteUri;
    public override string TokenPath => new Uri(settings.TokenEndpoint!).Segments[^1];
    public override TimeSpan Timeout => settings.Timeout;

    protected override Task StoreUserSecretsAsync(string user, UserSecrets secrets, CancellationToken ct)
    {
        _rows[user] = secrets;
        return Task.CompletedTask;
    }

    protected override Task<UserSecrets?> TakeUserSecretsAsync(string user, string state, CancellationToken ct) =>
        Task.FromResult(_rows.TryGetValue(user, out var row) && row.State == state && _rows.TryRemove(KeyValuePair.Create(user, row)) ? row : null);
}
