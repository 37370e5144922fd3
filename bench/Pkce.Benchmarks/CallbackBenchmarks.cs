using BenchmarkDotNet.Attributes;

namespace Pkce.Benchmarks;

/// <summary>Per callback: parse, constant-time state check, and the in-memory store's save + take.</summary>
[MemoryDiagnoser]
public class CallbackBenchmarks
{
    private readonly PkceConfig _config = Config.Validate(new PkceSettings
    {
        ClientId = "client", RedirectUri = "http://127.0.0.1:8000/callback", AuthorizationEndpoint = "https://as.example/authorize",
        TokenEndpoint = "https://as.example/token", ExpectedIssuer = "https://as.example",
    }).IfLeft(e => throw new InvalidOperationException(e.ToString()));

    private readonly UserKey _user = UserKey.From("alice").IfLeft(_ => null!);
    private readonly InMemoryPendingStore _store = new();
    private PendingAuthorization _pending = null!;
    private string _callback = "";

    [GlobalSetup]
    public void Setup()
    {
        _pending = PendingAuthorization.For(_config, Secrets.Generate(), _user, DateTimeOffset.UtcNow);
        _callback = $"http://127.0.0.1:8000/callback?code=SplxlOBeZQQYbYS6WxSbIA&state={_pending.State.Value}&iss=https%3A%2F%2Fas.example";
    }

    [Benchmark(Baseline = true, Description = "Pkce: Callback.Parse + Callback.Verify")]
    public bool ParseAndVerify() =>
        Callback.Parse(_callback).Bind(response => Callback.Verify(response, _pending, _user, DateTimeOffset.UtcNow)).IsRight;

    [Benchmark(Description = "Pkce: save + Flow.VerifyCallback (parse, take, verify)")]
    public bool SaveTakeVerify()
    {
        _store.Save(_pending, default).ToEither().GetAwaiter().GetResult();
        return Flow.VerifyCallback(TimeProvider.System, _store.Take, _user, _callback, default).ToEither().GetAwaiter().GetResult().IsRight;
    }
}
