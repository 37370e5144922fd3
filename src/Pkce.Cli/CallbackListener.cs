using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Pkce.Cli;

/// <summary>
/// The loopback redirect endpoint of RFC 8252 §7.3: Kestrel bound to 127.0.0.1 only. The first request to the
/// callback path is the callback; it is answered with the page given to <see cref="Answer"/>. Requests to other
/// paths get 404 and do not count; later requests to the callback path get 409.
/// </summary>
public sealed class CallbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<string> _callback = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ResultPage> _page = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CallbackListener(WebApplication app, Uri redirectUri) => (_app, RedirectUri) = (app, redirectUri);

    /// <summary>The redirect URI, with the port actually bound.</summary>
    public Uri RedirectUri { get; private set; }

    /// <summary>Completes with the full callback URL when the first callback arrives.</summary>
    public Task<string> Callback => _callback.Task;

    /// <summary>Starts listening at 127.0.0.1 on the port of <paramref name="redirectUri"/> (0: any free port).</summary>
    public static async Task<CallbackListener> StartAsync(Uri redirectUri, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{redirectUri.Port}");
        var app = builder.Build();
        var listener = new CallbackListener(app, redirectUri);
        app.Run(listener.HandleAsync);
        await app.StartAsync(cancellationToken);
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        listener.RedirectUri = new UriBuilder(redirectUri) { Port = bound.Port }.Uri;
        return listener;
    }

    /// <summary>Sets the page the waiting browser gets.</summary>
    public void Answer(ResultPage page) => _page.TrySetResult(page);

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.Request.Path.Equals(RedirectUri.AbsolutePath, StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        if (!_callback.TrySetResult(new Uri(RedirectUri, target).OriginalString))
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            return;
        }
        var page = await _page.Task.WaitAsync(context.RequestAborted);
        context.Response.StatusCode = page.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync(page.Html, context.RequestAborted);
    }

    /// <summary>Answers a still-waiting browser, stops listening and releases the port.</summary>
    public async ValueTask DisposeAsync()
    {
        _page.TrySetResult(new ResultPage(false, "The command ended before the sign-in completed."));
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
