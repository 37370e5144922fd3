using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pkce.Integration.NoSecret;

/// <summary>
/// A reverse proxy on 127.0.0.1 in front of an authorization server, which the client takes for the server itself:
/// every request is passed on, and the server's own address is replaced by the proxy's in what comes back (metadata,
/// the callback's <c>Location</c> with its <c>iss</c>), so discovery, the issuer check, PAR, the token and revocation
/// endpoints all go through it. It records in a <see cref="SecretLedger"/> every secret it sees: the client secret,
/// code and verifier of token requests, the tokens of token responses, tokens sent for revocation. DPoP proofs name
/// the URL they were made for, so DPoP clients cannot be proxied. <see cref="Tamper"/> lets a test make the token
/// endpoint hostile.
/// </summary>
internal sealed partial class RecordingProxy : IAsyncDisposable
{
    /// <summary>The form fields that carry a secret, and what each is.</summary>
    private static readonly Dictionary<string, string> SecretForm = new()
    {
        ["client_secret"] = "client secret", ["code"] = "authorization code", ["code_verifier"] = "code verifier",
        ["refresh_token"] = "refresh token", ["token"] = "revoked token",
    };

    private static readonly Dictionary<string, string> SecretJson = new() { ["access_token"] = "access token", ["refresh_token"] = "refresh token" };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    private readonly SecretLedger _ledger;
    private readonly Uri _server;

    private RecordingProxy(WebApplication app, Uri server, SecretLedger ledger) => (_app, _server, _ledger) = (app, server, ledger);

    /// <summary>The proxy's base address: the issuer the client is given.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>When set, answers a request instead of the server when it gives an answer (it is given the request).</summary>
    public Func<HttpContext, Task<bool>>? Tamper { get; set; }

    public static async Task<RecordingProxy> StartAsync(Uri server, SecretLedger ledger)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var proxy = new RecordingProxy(app, server, ledger);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        proxy.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return proxy;
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var request = context.Request;
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var form = request.HasFormContentType ? Form(Encoding.UTF8.GetString(body.ToArray())) : new Dictionary<string, string>();
        foreach (var (name, kind) in SecretForm) _ledger.Secret(kind, form.GetValueOrDefault(name));
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var authorization) && authorization is { Scheme: "Basic", Parameter: { } basic })
        {
            _ledger.Secret("client secret (Basic credentials)", basic);
            _ledger.Secret("client secret", Uri.UnescapeDataString(Encoding.UTF8.GetString(Convert.FromBase64String(basic)).Split(':', 2)[1].Replace('+', ' ')));
        }

        if (Tamper is { } tamper)
        {
            body.Position = 0;
            request.Body = body;
            if (await tamper(context)) return;
        }

        using var forwarded = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_server, request.Path.Value!.TrimStart('/') + request.QueryString));
        foreach (var header in request.Headers.Where(h => h.Key is not ("Host" or "Content-Length" or "Content-Type" or "Transfer-Encoding")))
            forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
        if (body.Length > 0 || request.ContentType is not null)
        {
            forwarded.Content = new ByteArrayContent(body.ToArray());
            if (request.ContentType is not null) forwarded.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        using var answer = await _upstream.SendAsync(forwarded, context.RequestAborted);
        var content = await answer.Content.ReadAsStringAsync(context.RequestAborted);
        Record(content);

        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var header in answer.Headers.Where(h => h.Key is not ("Transfer-Encoding" or "Connection")))
            context.Response.Headers[header.Key] = header.Key == "Location" ? header.Value.Select(Rewrite).ToArray() : header.Value.ToArray();
        if (answer.Content.Headers.ContentType is { } type) context.Response.ContentType = type.ToString();
        await context.Response.WriteAsync(Rewrite(content));
    }

    /// <summary>The tokens of a JSON answer.</summary>
    private void Record(string content)
    {
        try
        {
            using var json = JsonDocument.Parse(content);
            if (json.RootElement.ValueKind != JsonValueKind.Object) return;
            foreach (var (name, kind) in SecretJson)
                if (json.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String) _ledger.Secret(kind, value.GetString());
        }
        catch (JsonException)
        {
        }
    }

    /// <summary>The server's address, plain or escaped in a query (either case of hex digit), replaced by the proxy's.</summary>
    private string Rewrite(string text)
    {
        var server = _server.AbsoluteUri;
        text = text.Replace(server, BaseAddress.AbsoluteUri, StringComparison.Ordinal);
        return Regex.Replace(text, Regex.Escape(Uri.EscapeDataString(server)), Uri.EscapeDataString(BaseAddress.AbsoluteUri), RegexOptions.IgnoreCase);
    }

    private static Dictionary<string, string> Form(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(pair => Decode(pair[0]))
            .ToDictionary(group => group.Key, group => Decode(group.First().ElementAtOrDefault(1) ?? ""));

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
