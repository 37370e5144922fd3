using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Pkce.Http;

namespace Pkce.Integration.OidcProvider;

/// <summary>One of the clients that tools/oidc-provider/server.js registers (the values are repeated there).</summary>
public sealed record ProviderClient(string ClientId, string? ClientSecret, ClientAuthentication Authentication)
{
    /// <summary>RFC 6749 §2.3.1: id and secret each form-encoded, then HTTP Basic. Written here, not borrowed from the library under test.</summary>
    public string BasicHeader() =>
        "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes($"{WebUtility.UrlEncode(ClientId)}:{WebUtility.UrlEncode(ClientSecret)}"));
}

/// <summary>
/// A real oidc-provider 9.13.3 (the npm package, someone else's code) started as <c>node tools/oidc-provider/server.js</c>
/// on a free 127.0.0.1 port for the collection, and stopped afterwards (SIGTERM, then kill). Missing Node.js or a
/// missing package fails the tests with what to do, rather than skipping them. DPoP is on (oidc-provider's default);
/// <see cref="OidcProviderDpopNonceFixture"/> starts a second server that requires DPoP nonces.
/// </summary>
public class OidcProviderFixture : IAsyncLifetime
{
    /// <summary>Registered for flows whose callback nobody requests: <see cref="SignInAsync"/> stops at it.</summary>
    public const string FixedRedirectUri = "http://127.0.0.1:8000/callback";

    public static readonly ProviderClient Public = new("pkce-public", null, ClientAuthentication.None);
    public static readonly ProviderClient Basic = new("pkce-basic", "basic secret: p@ss/w+rd&=", ClientAuthentication.ClientSecretBasic);
    public static readonly ProviderClient Post = new("pkce-post", "post secret: p@ss/w+rd&=", ClientAuthentication.ClientSecretPost);

    /// <summary>Must use a pushed authorization request (RFC 9126); authenticates with client_secret_basic.</summary>
    public static readonly ProviderClient Par = new("pkce-par", "par secret: p@ss/w+rd&=", ClientAuthentication.ClientSecretBasic);

    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(30);

    private Process? _process;
    private readonly StringBuilder _stderr = new();
    private readonly bool _dpopNonce;

    public OidcProviderFixture() : this(dpopNonce: false) { }

    /// <param name="dpopNonce">Starts the server with <c>--dpop-nonce</c>: every DPoP proof needs a server nonce (RFC 9449 §8).</param>
    protected OidcProviderFixture(bool dpopNonce) => _dpopNonce = dpopNonce;

    /// <summary>Whether this server requires DPoP nonces.</summary>
    public bool RequiresDpopNonce => _dpopNonce;

    /// <summary>A second registered callback on a port that was free at start, for a test that listens on it.</summary>
    public string ListeningRedirectUri { get; } = $"http://127.0.0.1:{Ports.Free()}/callback";

    public IReadOnlyList<string> RedirectUris => [FixedRedirectUri, ListeningRedirectUri];

    public Uri Issuer { get; private set; } = null!;

    /// <summary>
    /// The DPoP-protected API beside the provider (tools/oidc-provider/dpop_api.js): <c>GET</c> with
    /// <c>Authorization: DPoP</c> an access token for <c>urn:pkce:api</c> and a proof; 200 and
    /// <c>{"sub", "client_id", "scope", "jkt"}</c>, or 401 with a <c>DPoP</c> challenge. With
    /// <see cref="RequiresDpopNonce"/>, it requires a nonce of its own.
    /// </summary>
    public Uri DpopApiEndpoint => new(Issuer, "api/me");

    /// <summary>The discovery document, fetched once the server listens.</summary>
    public ProviderMetadata Metadata { get; private set; } = null!;

    /// <summary>For the tests' own requests to the server (discovery, introspection, PAR, refresh).</summary>
    public HttpClient Raw { get; } = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

    public HttpPort Http { get; } = HttpPort.Create();

    public Dependencies Deps => Dependencies.System(Http);

    public async Task InitializeAsync()
    {
        var tool = Path.Combine(Root(), "tools", "oidc-provider");
        if (!File.Exists(Path.Combine(tool, "node_modules", "oidc-provider", "package.json")))
            throw new InvalidOperationException(
                $"oidc-provider is not installed in {tool}: run ./test.sh from the repository root (it runs `npm ci` there), then the tests again.");
        var node = FindOnPath("node") ?? throw new InvalidOperationException(
            "node was not found on PATH. The oidc-provider tests need Node.js 20 or later and npm: install them, run ./test.sh, then the tests again.");

        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process
        {
            StartInfo = new ProcessStartInfo(node,
                ["server.js", "--port", "0", "--redirect-uris", string.Join(',', RedirectUris), "--exit-with-stdin", .. (_dpopNonce ? ["--dpop-nonce"] : System.Array.Empty<string>())])
            {
                WorkingDirectory = tool,
                RedirectStandardInput = true, // kept open: the server exits when this test host's end closes
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            },
            EnableRaisingEvents = true,
        };
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith("listening ", StringComparison.Ordinal) == true) listening.TrySetResult(line.Data["listening ".Length..]);
        };
        _process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is not null) lock (_stderr) _stderr.AppendLine(line.Data);
        };
        var process = _process;
        process.Exited += (_, _) =>
        {
            if (listening.Task.IsCompleted) return; // the normal stop, or a start already given up
            string exit;
            try
            {
                process.WaitForExit(); // lets the last lines of stderr arrive
                exit = process.ExitCode.ToString();
            }
            catch (InvalidOperationException)
            {
                exit = "?"; // disposed meanwhile
            }
            listening.TrySetException(new InvalidOperationException(
                $"node tools/oidc-provider/server.js exited ({exit}) before listening. If a package is missing, run ./test.sh. stderr:\n{Stderr}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            Issuer = new Uri(await listening.Task.WaitAsync(StartPatience));
            Metadata = ProviderMetadata.Parse(await Raw.GetStringAsync(new Uri(Issuer, ".well-known/openid-configuration")));
        }
        catch (Exception e)
        {
            listening.TrySetCanceled();
            await StopAsync(); // a fixture that failed to start is not disposed
            if (e is TimeoutException)
                throw new InvalidOperationException(
                    $"node tools/oidc-provider/server.js printed no `listening` line within {StartPatience.TotalSeconds} s (run ./test.sh to install it). stderr:\n{Stderr}");
            throw;
        }
    }

    private string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public async Task DisposeAsync()
    {
        Raw.Dispose();
        Http.Dispose();
        await StopAsync();
    }

    /// <summary>SIGTERM (the server closes and exits 0), then a kill after five seconds.</summary>
    private async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>The library's settings for <paramref name="client"/>, endpoints and issuer from discovery.</summary>
    public PkceSettings Settings(ProviderClient client, string redirectUri = FixedRedirectUri) => new()
    {
        ClientId = client.ClientId,
        ClientSecret = client.ClientSecret,
        Authentication = client.Authentication,
        RedirectUri = redirectUri,
        Scope = "api",
        AuthorizationEndpoint = Metadata.AuthorizationEndpoint.AbsoluteUri,
        TokenEndpoint = Metadata.TokenEndpoint.AbsoluteUri,
        ExpectedIssuer = Metadata.Issuer,
        IssuerAlwaysSent = Metadata.IssParameterSupported,
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>RFC 7662 introspection of <paramref name="token"/> as the confidential client pkce-basic.</summary>
    public async Task<JsonElement> IntrospectAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Metadata.IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent([KeyValuePair.Create("token", token)]),
        };
        request.Headers.TryAddWithoutValidation("Authorization", Basic.BasicHeader());
        using var response = await Raw.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"introspection answered {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// The <c>cnf.jkt</c> that introspection shows for <paramref name="token"/> (RFC 9449 §6.2): the RFC 7638
    /// thumbprint of the key a DPoP-bound token is bound to, or null for a bearer token. With
    /// <c>token_type</c>, which oidc-provider reports as <c>DPoP</c> for a bound access token.
    /// </summary>
    public async Task<(string? Thumbprint, string? TokenType)> ConfirmationAsync(string token)
    {
        var introspection = await IntrospectAsync(token);
        Assert.True(introspection.GetProperty("active").GetBoolean(), $"the token is not active: {introspection}");
        var thumbprint = introspection.TryGetProperty("cnf", out var cnf) && cnf.TryGetProperty("jkt", out var jkt) ? jkt.GetString() : null;
        return (thumbprint, introspection.TryGetProperty("token_type", out var type) ? type.GetString() : null);
    }

    /// <summary>
    /// Plays a fresh browser (its own cookies, no automatic redirects) from <paramref name="authorizationUrl"/>
    /// through oidc-provider's development pages: the login form (any login, any password) and the consent form,
    /// until the server redirects to a registered redirect URI. Returns that callback URL (code or error, state,
    /// iss) without requesting it.
    /// </summary>
    public Task<string> SignInAsync(string authorizationUrl, string login) =>
        DevInteractionBrowser.SignInAsync(Issuer, RedirectUris, authorizationUrl, login);

    private static string Root([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/bin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

}

[CollectionDefinition(Name)]
public sealed class OidcProviderCollection : ICollectionFixture<OidcProviderFixture>
{
    public const string Name = "oidc-provider";
}

/// <summary>A second oidc-provider, started with <c>--dpop-nonce</c>: every DPoP proof needs the server's nonce (RFC 9449 §8).</summary>
public sealed class OidcProviderDpopNonceFixture() : OidcProviderFixture(dpopNonce: true);

[CollectionDefinition(Name)]
public sealed class OidcProviderDpopNonceCollection : ICollectionFixture<OidcProviderDpopNonceFixture>
{
    public const string Name = "oidc-provider with DPoP nonces";
}
