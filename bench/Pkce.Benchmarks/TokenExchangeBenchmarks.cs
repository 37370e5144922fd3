using Pkce.Http;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Duende.IdentityModel.Client;
using Pkce.Facade;

namespace Pkce.Benchmarks;

/// <summary>
/// One token request against a minimal token endpoint on 127.0.0.1 that returns a fixed body. With the endpoint in
/// a child process, the allocation column counts the client's bytes only.
/// </summary>
[MemoryDiagnoser]
[WarmupCount(15)]
[IterationCount(20)]
public class TokenExchangeBenchmarks
{
    private const string RedirectUri = "http://127.0.0.1:8000/callback";

    [Params("child process", "in process")]
    public string Server { get; set; } = "";

    private TokenEndpointServer _server = null!;
    private PkceConfig _config = null!;
    private VerifiedCallback _verified = null!;
    private HttpPort _port = null!;
    private HttpClient _http = null!;
    private FixedManager _manager = null!;
    private string _verifier = "";

    /// <summary>The seed-style facade with hooks that hand back one fixed set of secrets.</summary>
    private sealed class FixedManager(string tokenEndpointRoot, FlowSecrets secrets) : PkceFlowManager<string>()
    {
        public override string ClientId => "bench-client";
        public override string RedirectUri => TokenExchangeBenchmarks.RedirectUri;
        public override string RootUrl => tokenEndpointRoot;
        protected override Task StoreUserSecretsAsync(string user, UserSecrets stored, CancellationToken ct) => Task.CompletedTask;
        // Hands the same secrets back on every call (a benchmark redeems one callback many times); a real store deletes them.
        protected override Task<UserSecrets?> TakeUserSecretsAsync(string user, string state, CancellationToken ct) =>
            Task.FromResult<UserSecrets?>(state == secrets.State.Value
                ? new UserSecrets(user, secrets.State.Value, secrets.Verifier.Value, secrets.Challenge.Value, DateTimeOffset.UtcNow.AddMinutes(5))
                : null);
    }

    [GlobalSetup]
    public async Task Setup()
    {
        _server = Server == "in process" ? await TokenEndpointServer.StartInProcessAsync() : await TokenEndpointServer.StartChildProcessAsync();
        _config = Config.Validate(new PkceSettings
        {
            ClientId = "bench-client", RedirectUri = RedirectUri, AuthorizationEndpoint = new Uri(_server.Address, "authorize").AbsoluteUri,
            TokenEndpoint = _server.TokenEndpoint.AbsoluteUri,
        }).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        var user = UserKey.From("alice").IfLeft(_ => null!);
        var secrets = Secrets.Generate();
        var pending = PendingAuthorization.For(_config, secrets, user, DateTimeOffset.UtcNow.AddDays(1));
        _verified = Callback.Parse($"?code=SplxlOBeZQQYbYS6WxSbIA&state={secrets.State.Value}")
            .Bind(r => Callback.Verify(r, pending, user, DateTimeOffset.UtcNow))
            .IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _verifier = secrets.Verifier.Value;
        _port = HttpPort.Create();
        _http = new HttpClient();
        _manager = new FixedManager(_server.Address.AbsoluteUri, secrets);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _port.Dispose();
        _manager.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "floor: HttpClient form POST + JsonDocument")]
    public async Task<string> Floor()
    {
        using var content = new FormUrlEncodedContent([
            new("grant_type", "authorization_code"), new("code", "SplxlOBeZQQYbYS6WxSbIA"), new("redirect_uri", RedirectUri),
            new("code_verifier", _verifier), new("client_id", "bench-client")]);
        using var response = await _http.PostAsync(_server.TokenEndpoint, content);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var json = await JsonDocument.ParseAsync(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    [Benchmark(Description = "Pkce core: Token.Exchange")]
    public async Task<string> Core() =>
        (await Token.Exchange(_config, _port, _verified, default).ToEither()).Match(t => t.AccessToken, e => throw new InvalidOperationException(e.ToString()));

    [Benchmark(Description = "Pkce facade: PkceFlowManager.FetchAccessTokenAsync")]
    public async Task<string> Facade() => (await _manager.FetchAccessTokenAsync("alice", _verified.Pending.State.Value, "SplxlOBeZQQYbYS6WxSbIA", null)).AccessToken;

    [Benchmark(Description = "Duende.IdentityModel: RequestAuthorizationCodeTokenAsync")]
    public async Task<string> Duende()
    {
        var response = await _http.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = "bench-client",
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
            Code = "SplxlOBeZQQYbYS6WxSbIA",
            RedirectUri = RedirectUri,
            CodeVerifier = _verifier,
        });
        return response.AccessToken!;
    }
}
