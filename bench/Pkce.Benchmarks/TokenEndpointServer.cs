using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pkce.Benchmarks;

/// <summary>
/// A minimal token endpoint on 127.0.0.1 that answers every POST with one fixed JSON body. It runs in this process,
/// or in a child process so that BenchmarkDotNet's allocation count holds the client's bytes only.
/// </summary>
public sealed class TokenEndpointServer : IAsyncDisposable
{
    public const string Body = """{"access_token":"2YotnFZFEjr1zCsicMWpAA","token_type":"Bearer","expires_in":3600,"refresh_token":"tGzv3JOkF0XG5Qx2TlKWIA","scope":"api"}""";

    private readonly WebApplication? _app;
    private readonly Process? _child;

    private TokenEndpointServer(Uri address, WebApplication? app, Process? child) => (Address, _app, _child) = (address, app, child);

    public Uri Address { get; }

    public Uri TokenEndpoint => new(Address, "token");

    private static WebApplication Build()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var body = System.Text.Encoding.UTF8.GetBytes(Body);
        app.Run(async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body);
        });
        return app;
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");

    public static async Task<TokenEndpointServer> StartInProcessAsync()
    {
        var app = Build();
        await app.StartAsync();
        return new TokenEndpointServer(AddressOf(app), app, null);
    }

    /// <summary>Starts this program with <c>--serve-token-endpoint</c> and reads the address it prints.</summary>
    public static async Task<TokenEndpointServer> StartChildProcessAsync()
    {
        var self = typeof(TokenEndpointServer).Assembly.Location;
        var child = Process.Start(new ProcessStartInfo("dotnet", [self, "--serve-token-endpoint"])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        })!;
        var line = await child.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("the token endpoint child printed nothing");
        return new TokenEndpointServer(new Uri(line), null, child);
    }

    /// <summary>The child process's main: serve until standard input closes.</summary>
    public static async Task ServeAsync()
    {
        await using var app = Build();
        await app.StartAsync();
        Console.WriteLine(AddressOf(app));
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (_child is not null)
        {
            _child.StandardInput.Close();
            if (!_child.WaitForExit(5000)) _child.Kill();
            _child.Dispose();
        }
    }
}
