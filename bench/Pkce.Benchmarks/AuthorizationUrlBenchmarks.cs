using System.Buffers.Text;
using BenchmarkDotNet.Attributes;
using Duende.IdentityModel.Client;
using Flurl;
using LanguageExt;

namespace Pkce.Benchmarks;

/// <summary>The authorization URL with scope, state, challenge and two extras.</summary>
[MemoryDiagnoser]
public class AuthorizationUrlBenchmarks
{
    private const string Endpoint = "https://gitlab.example/oauth/authorize";
    private const string ClientId = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    private const string RedirectUri = "http://127.0.0.1:8000/oauth/gitlab/callback/";
    private const string Scope = "read_api openid";

    private readonly PkceConfig _config = Config.Validate(new PkceSettings
    {
        ClientId = ClientId, RedirectUri = RedirectUri, Scope = Scope, AuthorizationEndpoint = Endpoint, TokenEndpoint = "https://gitlab.example/oauth/token",
    }).IfLeft(e => throw new InvalidOperationException(e.ToString()));

    private readonly Seq<QueryParameter> _extras = Prelude.Seq(new QueryParameter("prompt", "consent"), new QueryParameter("login_hint", "alice@example.com"));
    private PendingAuthorization _pending = null!;
    private readonly Parameters _duendeExtras = new() { { "login_hint", "alice@example.com" } };

    [GlobalSetup]
    public void Setup() =>
        _pending = PendingAuthorization.For(_config, Secrets.Generate(), UserKey.From("u").IfLeft(_ => null!), DateTimeOffset.UnixEpoch);

    [Benchmark(Baseline = true, Description = "floor: Uri.EscapeDataString into a stack buffer")]
    public string Floor()
    {
        Span<char> buffer = stackalloc char[512];
        var length = 0;
        void Add(ReadOnlySpan<char> text, Span<char> into)
        {
            text.CopyTo(into[length..]);
            length += text.Length;
        }
        void Pair(string name, string value, Span<char> into)
        {
            Add(name, into);
            Add("=", into);
            Uri.TryEscapeDataString(value, into[length..], out var written);
            length += written;
        }
        Add(Endpoint, buffer);
        Add("?", buffer); Pair("response_type", "code", buffer);
        Add("&", buffer); Pair("client_id", ClientId, buffer);
        Add("&", buffer); Pair("redirect_uri", RedirectUri, buffer);
        Add("&", buffer); Pair("scope", Scope, buffer);
        Add("&", buffer); Pair("state", _pending.State.Value, buffer);
        Add("&", buffer); Pair("code_challenge", _pending.Challenge.Value, buffer);
        Add("&", buffer); Pair("code_challenge_method", "S256", buffer);
        Add("&", buffer); Pair("prompt", "consent", buffer);
        Add("&", buffer); Pair("login_hint", "alice@example.com", buffer);
        return new string(buffer[..length]);
    }

    [Benchmark(Description = "Pkce: AuthorizationUrl.Build")]
    public string Ours() => AuthorizationUrl.Build(_config, _pending, _extras).IfLeft("");

    [Benchmark(Description = "Duende.IdentityModel: RequestUrl.CreateAuthorizeUrl")]
    public string Duende() =>
        new RequestUrl(Endpoint).CreateAuthorizeUrl(ClientId, "code", Scope, RedirectUri, _pending.State.Value,
            codeChallenge: _pending.Challenge.Value, codeChallengeMethod: "S256", prompt: "consent", extra: _duendeExtras);

    [Benchmark(Description = "Flurl used naively: SetQueryParams")]
    public string FlurlNaive() =>
        Endpoint.SetQueryParams(new
        {
            response_type = "code", client_id = ClientId, redirect_uri = RedirectUri, scope = Scope, state = _pending.State.Value,
            code_challenge = _pending.Challenge.Value, code_challenge_method = "S256", prompt = "consent", login_hint = "alice@example.com",
        }).ToString();
}
