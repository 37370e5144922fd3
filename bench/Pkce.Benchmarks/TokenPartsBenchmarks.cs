using System.Text;
using BenchmarkDotNet.Attributes;
using Flurl.Http;
using Pkce.Http;

namespace Pkce.Benchmarks;

/// <summary>Where the token exchange's client bytes go: the pure halves alone, and the Flurl call alone.</summary>
[MemoryDiagnoser]
public class TokenPartsBenchmarks
{
    private readonly HttpAnswer _answer = new("token endpoint", 200, LanguageExt.Prelude.Some("application/json"), Encoding.UTF8.GetBytes(TokenEndpointServer.Body));
    private PkceConfig _config = null!;
    private VerifiedCallback _verified = null!;
    private TokenEndpointServer _server = null!;
    private FlurlClient _flurl = null!;
    private HttpPort _port = null!;
    private FormPost _request = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _server = await TokenEndpointServer.StartChildProcessAsync();
        _config = Config.Validate(new PkceSettings
        {
            ClientId = "bench-client", RedirectUri = "http://127.0.0.1:8000/callback", AuthorizationEndpoint = "https://as.example/authorize",
            TokenEndpoint = _server.TokenEndpoint.AbsoluteUri,
        }).IfLeft(e => throw new InvalidOperationException(e.ToString()));
        var user = UserKey.From("alice").IfLeft(_ => null!);
        var secrets = Secrets.Generate();
        var pending = PendingAuthorization.For(_config, secrets, user, DateTimeOffset.UtcNow.AddDays(1));
        _verified = Callback.Parse($"?code=abc&state={secrets.State.Value}").Bind(r => Callback.Verify(r, pending, user, DateTimeOffset.UtcNow))
            .IfLeft(e => throw new InvalidOperationException(e.ToString()));
        _request = TokenRequest.Build(_config, _verified).IfLeft(_ => null!);
        _flurl = new FlurlClient();
        _port = HttpPort.Create();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _flurl.Dispose();
        _port.Dispose();
        await _server.DisposeAsync();
    }

    [Benchmark(Description = "TokenRequest.Build")]
    public object Build() => TokenRequest.Build(_config, _verified);

    [Benchmark(Description = "TokenResponseParser.Parse")]
    public object Parse() => TokenResponseParser.Parse(_answer);

    [Benchmark(Description = "HttpClient.SendAsync of the same form (no Flurl)")]
    public async Task<object> RawSend()
    {
        using var content = new FormUrlEncodedContent(_request.Form.Map(p => KeyValuePair.Create(p.Name, p.Value)));
        using var message = new HttpRequestMessage(HttpMethod.Post, _request.Endpoint) { Content = content };
        message.Headers.Add("Accept", "application/json");
        using var response = await _flurl.HttpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        return await response.Content.ReadAsByteArrayAsync();
    }

    [Benchmark(Description = "Flurl: Request(uri).SendAsync, no settings")]
    public async Task<object> FlurlBare()
    {
        using var content = new FormUrlEncodedContent(_request.Form.Map(p => KeyValuePair.Create(p.Name, p.Value)));
        using var response = await _flurl.Request(_request.Endpoint).SendAsync(HttpMethod.Post, content, HttpCompletionOption.ResponseHeadersRead);
        return await response.ResponseMessage.Content.ReadAsByteArrayAsync();
    }

    [Benchmark(Description = "Flurl: Request(string).AllowAnyHttpStatus.WithAutoRedirect(false)")]
    public async Task<object> FlurlSettings()
    {
        using var content = new FormUrlEncodedContent(_request.Form.Map(p => KeyValuePair.Create(p.Name, p.Value)));
        using var response = await _flurl.Request(_request.Endpoint.OriginalString).AllowAnyHttpStatus().WithAutoRedirect(false)
            .SendAsync(HttpMethod.Post, content, HttpCompletionOption.ResponseHeadersRead);
        return await response.ResponseMessage.Content.ReadAsByteArrayAsync();
    }

    [Benchmark(Description = "HttpPort.Post (Flurl, pinned body)")]
    public async Task<object> Send() => await _port.Post(_request, TimeSpan.FromSeconds(30), default);
}
