
using Microsoft.AspNetCore.Http;
using Pkce.Http;
using Pkce.Facade;

namespace Pkce.Integration;

/// <summary>
/// Issue 10, finding 1: whatever transport a caller configures, the code, the verifier and the client secret go to
/// the configured token endpoint only, once, and an answer from any other address is never taken as a token. A
/// second host on 127.0.0.1 plays the attacker's <c>Location</c>. The library takes a socket handler, never a
/// finished <see cref="HttpClient"/> (whose handlers could copy and re-post a body): the last test holds every
/// public signature to that.
/// </summary>
public sealed class RedirectTests : IAsyncLifetime
{
    private const string Secret = "s3cret-of-the-client";
    private TokenEndpointHost _token = null!;
    private TokenEndpointHost _elsewhere = null!;

    public async Task InitializeAsync() => (_token, _elsewhere) = (await TokenEndpointHost.StartAsync(), await TokenEndpointHost.StartAsync());

    public async Task DisposeAsync()
    {
        await _token.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    public static TheoryData<int, string, ClientAuthentication> Cases()
    {
        var data = new TheoryData<int, string, ClientAuthentication>();
        foreach (var status in new[] { 301, 302, 303, 307, 308 })
        foreach (var transport in new[] { "the library's own", "a caller's SocketsHttpHandler that follows redirects" })
        foreach (var method in new[] { ClientAuthentication.ClientSecretPost, ClientAuthentication.ClientSecretBasic })
            data.Add(status, transport, method);
        return data;
    }

    private static SocketsHttpHandler? Transport(string kind) => kind == "the library's own" ? null : new SocketsHttpHandler { AllowAutoRedirect = true };

    private static HttpPort Port(string kind) => Transport(kind) is { } socket ? HttpPort.Of(socket) : HttpPort.Create();

    private void Redirect(int status, Uri to) => _token.Respond = context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = to.AbsoluteUri;
        return Task.CompletedTask;
    };

    private void RedirectEverything(int status) => Redirect(status, new Uri(_elsewhere.BaseAddress, "steal"));

    /// <summary>The other host got nothing at all, and the token endpoint exactly one request.</summary>
    private void NothingLeaked()
    {
        Assert.Empty(_elsewhere.Received);
        Assert.Single(_token.Received);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Core_never_sends_the_code_or_accepts_an_answer_from_a_redirect_target(int status, string transport, ClientAuthentication method)
    {
        RedirectEverything(status);
        using var http = Port(transport);
        var error = Expect.Left(await Flows.CompleteAsync(Flows.Config(_token.TokenEndpoint, method, Secret), http));
        Assert.IsType<PkceError.RedirectRefused>(error);
        NothingLeaked();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PkceClient_never_sends_the_code_or_accepts_an_answer_from_a_redirect_target(int status, string transport, ClientAuthentication method)
    {
        RedirectEverything(status);
        var config = Flows.Config(_token.TokenEndpoint, method, Secret);
        using var pkce = new PkceClient(Settings(method), transport: Transport(transport));
        var url = await pkce.GetAuthorizationUrlAsync("alice");
        var state = QueryOf(url)["state"];
        var error = await Assert.ThrowsAsync<PkceFlowException>(() =>
            pkce.HandleCallbackAsync("alice", $"{config.Client.RedirectUri}?code=code-123&state={state}"));
        Assert.Equal("redirect_refused", error.Code);
        NothingLeaked();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Manager_never_sends_the_code_or_accepts_an_answer_from_a_redirect_target(int status, string transport, ClientAuthentication method)
    {
        RedirectEverything(status);
        using var manager = new TestManager(Settings(method), Transport(transport));
        var url = await manager.GetAuthorizationUrlAsync("alice");
        var error = await Assert.ThrowsAsync<PkceFlowException>(() =>
            manager.FetchAccessTokenAsync("alice", QueryOf(url)["state"], "code-123", null));
        Assert.Equal("redirect_refused", error.Code);
        NothingLeaked();
    }

    [Theory]
    [InlineData(307)]
    [InlineData(308)]
    public async Task A_redirect_to_the_token_endpoint_itself_sends_the_code_once(int status)
    {
        Redirect(status, _token.TokenEndpoint);
        using var http = Port("a caller's SocketsHttpHandler that follows redirects");
        Assert.IsType<PkceError.RedirectRefused>(Expect.Left(await Flows.CompleteAsync(Flows.Config(_token.TokenEndpoint, ClientAuthentication.ClientSecretPost, Secret), http)));
        Assert.Single(_token.Received);
    }

    [Fact]
    public async Task An_answer_without_a_redirect_still_arrives_through_a_caller_socket_handler()
    {
        using var http = HttpPort.Of(new SocketsHttpHandler());
        var token = Expect.Right(await Flows.CompleteAsync(Flows.Config(_token.TokenEndpoint, ClientAuthentication.ClientSecretPost, Secret), http));
        Assert.Equal("AT", token.AccessToken);
        Assert.Equal(Secret, Assert.Single(_token.Received).Form["client_secret"]);
    }

    [Fact]
    public async Task A_socket_handler_that_already_sent_requests_is_refused()
    {
        var used = new SocketsHttpHandler();
        using (var client = new HttpClient(used, disposeHandler: false))
            using (await client.GetAsync(_token.BaseAddress)) { }
        Assert.Throws<ArgumentException>(() => HttpPort.Of(used));
        used.Dispose();
    }

    /// <summary>
    /// The reviewer's bypasses (a handler that buffers the body under a redirect-following client, a handler that
    /// follows a 307 by copying the content into a new request, a retrying handler) all need a handler chain of the
    /// caller's between the library and the socket. No public signature of the library accepts one.
    /// </summary>
    [Fact]
    public void No_public_member_takes_a_client_or_a_handler_chain()
    {
        Type[] forbidden = [typeof(HttpClient), typeof(HttpMessageInvoker), typeof(HttpMessageHandler), typeof(DelegatingHandler), typeof(HttpClientHandler)];
        var assemblies = new[] { typeof(Flow).Assembly, typeof(PkceClient).Assembly };
        var offenders = assemblies.SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance
                | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly))
            .Where(m => m is System.Reflection.MethodBase { IsPublic: true } or System.Reflection.MethodBase { IsFamily: true })
            .Cast<System.Reflection.MethodBase>()
            .Where(m => m.GetParameters().Any(p => forbidden.Contains(p.ParameterType) || forbidden.Contains(Nullable.GetUnderlyingType(p.ParameterType))))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.Empty(offenders);
        // Flurl lives behind the port: no public signature of the library names one of its types.
        var flurl = assemblies.SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMethods().Cast<System.Reflection.MethodBase>().Concat(t.GetConstructors()))
            .Where(m => m.GetParameters().Select(p => p.ParameterType)
                .Concat(m is System.Reflection.MethodInfo mi ? [mi.ReturnType] : [])
                .Any(t => t.Namespace?.StartsWith("Flurl", StringComparison.Ordinal) == true))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.Empty(flurl);
        Assert.Contains(typeof(HttpPort).GetMethods(), m => m.Name == nameof(HttpPort.Of) && m.GetParameters().Single().ParameterType == typeof(SocketsHttpHandler));
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
internal sealed class TestManager(PkceSettings settings, SocketsHttpHandler? transport = null) : PkceFlowManager<string>(transport)
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
