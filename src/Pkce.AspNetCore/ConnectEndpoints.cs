using LanguageExt;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pkce.AspNetCore;

/// <summary>
/// The three endpoints of a provider: start (sends the browser to the provider), callback (verifies and redeems),
/// disconnect (revokes). The protocol is the core's (<see cref="Flow"/>, <see cref="Token.Exchange"/>,
/// <see cref="TokenSource"/>); this adds the user, the browser binding, the cookies and the pages. Nothing here
/// ever shows an exception: failures are typed errors on the error page, unexpected exceptions are logged and
/// shown as <c>internal_error</c>.
/// </summary>
internal sealed class ConnectEndpoints(PkceProviders providers, IOptions<PkceAspNetCoreOptions> options, IAntiforgery antiforgery, ILogger<ConnectEndpoints> logger)
{
    private readonly PkceAspNetCoreOptions _options = options.Value;

    /// <summary>GET: starts connecting the signed-in user's account; 302 to the provider.</summary>
    public Task Start(HttpContext context, string provider) => Guarded(context, provider, async found =>
    {
        if (_options.UserId(context) is not { } userId)
        {
            await context.ChallengeAsync();
            return;
        }
        var value = BrowserBinding.NewValue();
        var ct = context.RequestAborted;
        var started = await (from user in UserKey.From(BrowserBinding.BoundUser(userId, value)).ToAsync()
                             from config in found.Config(ct)
                             from flow in Flow.Start(config, found.Deps, found.Pending.Save, user, ct)
                             select flow).ToEither();
        await started.Match(
            async flow =>
            {
                var lifetime = flow.Pending.ExpiresAt - found.Deps.Clock.GetUtcNow();
                BrowserBinding.Set(context, BrowserBinding.CookieName(_options.CookiePrefix, flow.Pending.State), value, found.RedirectPath, lifetime);
                NoStore(context);
                PkceLog.ConnectStarted(logger, found.Name);
                context.Response.Redirect(flow.AuthorizationUrl);
                await Task.CompletedTask;
            },
            error => Fail(context, found.Name, error));
    });

    /// <summary>GET at the redirect URI's path: checks state, user, browser, issuer; redeems the code once; keeps the tokens.</summary>
    public Task Callback(HttpContext context, string provider) => Guarded(context, provider, async found =>
    {
        if (_options.UserId(context) is not { } userId)
        {
            await context.ChallengeAsync();
            return;
        }
        NoStore(context);
        var ct = context.RequestAborted;
        var parsed = Pkce.Callback.Parse(context.Request.QueryString.Value ?? "");
        var cookie = parsed.Map(response => BrowserBinding.CookieName(_options.CookiePrefix, response.State));
        cookie.IfRight(name => BrowserBinding.Delete(context, name, found.RedirectPath));
        // MatchUnsafe: no cookie is null, which Either.Map refuses (ValueIsNullException) and would turn a callback
        // from another browser into internal_error instead of its refusal.
        var value = cookie.MatchUnsafe(name => BrowserBinding.Read(context, name), _ => null);
        var saved = await (from response in parsed.ToAsync()
                           from user in UserKey.From(BrowserBinding.BoundUser(userId, value)).ToAsync()
                           from key in found.KeyOf(userId).ToAsync()
                           from verified in Flow.VerifyCallback(found.Deps.Clock, found.Pending.Take, user, response, ct)
                           from config in found.Config(ct)
                           from token in Token.Exchange(config, found.Deps.Http, verified, ct)
                           from source in found.Source(ct)
                           from tokens in source.Save(key, token, ct)
                           select tokens).ToEither();
        await saved.Match(
            _ =>
            {
                PkceLog.Connected(logger, found.Name);
                context.Response.Redirect(found.ReturnPath);
                return Task.CompletedTask;
            },
            error => Fail(context, found.Name, error));
    });

    /// <summary>POST with the app's antiforgery token: revokes the user's tokens at the provider and forgets them.</summary>
    public Task Disconnect(HttpContext context, string provider) => Guarded(context, provider, async found =>
    {
        if (_options.UserId(context) is not { } userId)
        {
            await context.ChallengeAsync();
            return;
        }
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            PkceLog.RequestRefused(logger, "antiforgery", "a disconnect without a valid antiforgery token");
            await Page(context, StatusCodes.Status400BadRequest, new PkceConnectFailure(found.Name, "antiforgery", "the request did not come from this app's page", null));
            return;
        }
        var ct = context.RequestAborted;
        var revoked = await (from key in found.KeyOf(userId).ToAsync()
                             from source in found.Source(ct)
                             from outcome in source.Revoke(key, ct)
                             select outcome).ToEither();
        await revoked.Match(
            outcome =>
            {
                outcome.Match(
                    error => PkceLog.RevocationFailed(logger, found.Name, error.Code, error.Message),
                    () => PkceLog.Disconnected(logger, found.Name));
                context.Response.Redirect(found.ReturnPath);
                return Task.CompletedTask;
            },
            error => Fail(context, found.Name, error));
    });

    private async Task Guarded(HttpContext context, string provider, Func<PkceProvider, Task> handle)
    {
        if (providers.Find(provider) is not { } found)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        try
        {
            await handle(found);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            PkceLog.EndpointFailed(logger, found.Name, e.GetType().Name);
            if (!context.Response.HasStarted)
                await Page(context, StatusCodes.Status500InternalServerError,
                    new PkceConnectFailure(found.Name, "internal_error", "the app failed while connecting; the details are in its log", null));
        }
    }

    private Task Fail(HttpContext context, string provider, PkceError error)
    {
        PkceLog.ConnectFailed(logger, provider, error.Code, error.Message);
        return Page(context, StatusOf(error), new PkceConnectFailure(provider, error.Code, error.Message, error));
    }

    private Task Page(HttpContext context, int status, PkceConnectFailure failure)
    {
        context.Response.StatusCode = status;
        NoStore(context);
        return _options.ErrorPage(context, failure);
    }

    /// <summary>What went wrong decides the status: the provider (502/504), a store (503), else the request (400).</summary>
    internal static int StatusOf(PkceError error) => error switch
    {
        PkceError.StoreFailure => StatusCodes.Status503ServiceUnavailable,
        PkceError.Timeout => StatusCodes.Status504GatewayTimeout,
        PkceError.EndpointError or PkceError.UnexpectedResponse or PkceError.TransportFailure or PkceError.RedirectRefused
            or PkceError.UnsupportedTokenType or PkceError.InvalidMetadata => StatusCodes.Status502BadGateway,
        PkceError.InvalidConfiguration => StatusCodes.Status500InternalServerError,
        _ => StatusCodes.Status400BadRequest,
    };

    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
    }
}
