using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pkce.LocalAuthority;

namespace Pkce.Cli;

/// <summary>
/// The loopback redirect endpoint of RFC 8252 §7.3: Kestrel bound to 127.0.0.1 only. Any web page the user has open
/// can send requests here (a cross-site <c>&lt;img&gt;</c>, a form POST, a preflight), so only a GET to the callback
/// path, addressed to this host and port, carrying the state of this login decides it; it is answered with the page
/// given to <see cref="Answer"/>. Every other request gets an error page, is reported as ignored, and the wait goes on.
/// </summary>
public sealed class CallbackListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Action<string> _report;
    private readonly TaskCompletionSource<string> _callback = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ResultPage> _page = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private State? _expected;

    private CallbackListener(WebApplication app, Uri redirectUri, Action<string> report) => (_app, RedirectUri, _report) = (app, redirectUri, report);

    /// <summary>The redirect URI, with the port actually bound.</summary>
    public Uri RedirectUri { get; private set; }

    /// <summary>Completes with the full callback URL when the callback for the expected state arrives.</summary>
    public Task<string> Callback => _callback.Task;

    /// <summary>
    /// Starts listening at 127.0.0.1 on the port of <paramref name="redirectUri"/> (0: any free port), whatever the
    /// configuration says (were it bound elsewhere, it is stopped and <see cref="NotLoopbackException"/>, an
    /// <see cref="IOException"/>, is thrown); <paramref name="report"/> is told, in one printable line each, about every
    /// request that was ignored.
    /// </summary>
    public static async Task<CallbackListener> StartAsync(Uri redirectUri, Action<string> report, CancellationToken cancellationToken)
    {
        // 127.0.0.1 alone, whatever appsettings.json or the environment say (see LoopbackKestrel).
        var builder = LoopbackKestrel.CreateBuilder(redirectUri.Port);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var listener = new CallbackListener(app, redirectUri, report);
        app.Run(listener.HandleAsync);
        var bound = new Uri(await LoopbackKestrel.StartAsync(app, "the callback listener", cancellationToken));
        listener.RedirectUri = new UriBuilder(redirectUri) { Port = bound.Port }.Uri;
        return listener;
    }

    /// <summary>The state of the login in progress: until it is set, no request can decide anything.</summary>
    public void Expect(State state) => Volatile.Write(ref _expected, state);

    /// <summary>Sets the page the waiting browser gets.</summary>
    public void Answer(ResultPage page) => _page.TrySetResult(page);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path + request.QueryString;
        switch (CallbackRequest.Decide(RedirectUri, Volatile.Read(ref _expected), request.Host.Value ?? "", request.Method, request.Path.Value ?? "", target))
        {
            case CallbackRequest.Refused refused:
                if (refused.Status == StatusCodes.Status405MethodNotAllowed) context.Response.Headers.Allow = "GET";
                await RefuseAsync(context, refused.Status, refused.What);
                return;
            case CallbackRequest.Accepted accepted when !_callback.TrySetResult(accepted.Url):
                await RefuseAsync(context, StatusCodes.Status409Conflict, "a repeated callback");
                return;
        }
        await WriteAsync(context, await _page.Task.WaitAsync(context.RequestAborted), StatusCodes.Status200OK);
    }

    private Task RefuseAsync(HttpContext context, int status, string what)
    {
        _report(_callback.Task.IsCompleted
            ? $"ignored {ServerText.Printable(what)} (answered {status})"
            : $"ignored {ServerText.Printable(what)} (answered {status}); still waiting for the sign-in callback");
        return WriteAsync(context, new ResultPage(false, "This request is not the sign-in callback the command is waiting for; it was ignored."), status);
    }

    private static async Task WriteAsync(HttpContext context, ResultPage page, int status)
    {
        context.Response.StatusCode = page.Succeeded ? status : status == StatusCodes.Status200OK ? StatusCodes.Status400BadRequest : status;
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
