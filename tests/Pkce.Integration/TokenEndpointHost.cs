using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pkce.Integration;

/// <summary>What the endpoint received, one per request.</summary>
public sealed record ReceivedRequest(string Method, string Path, string? Authorization, string? ContentType, IReadOnlyDictionary<string, string> Form);

/// <summary>
/// A small HTTP endpoint in this process on 127.0.0.1 (Kestrel, port chosen by the OS) that records every request
/// and answers with whatever the test sets in <see cref="Respond"/>.
/// </summary>
public sealed class TokenEndpointHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TokenEndpointHost(WebApplication app) => _app = app;

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public Func<HttpContext, Task> Respond { get; set; } = context => Results.Json(new { access_token = "AT", token_type = "Bearer" }).ExecuteAsync(context);

    public Uri BaseAddress { get; private set; } = null!;

    public Uri TokenEndpoint => new(BaseAddress, "token");

    public static async Task<TokenEndpointHost> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var host = new TokenEndpointHost(app);
        app.Run(async context =>
        {
            var form = context.Request.HasFormContentType
                ? (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString())
                : new Dictionary<string, string>();
            host.Received.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path, context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.ContentType, form));
            await host.Respond(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        host.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return host;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
