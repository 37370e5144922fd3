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
/// disconnect (revokes). The protocol is the core's (<see cref="Flow"/>, <see cref="Token.Exchange(PkceConfig, Dependencies, VerifiedCallback, CancellationToken)"/>,
/// <see cref="TokenSource"/>); this adds the user, the browser binding, the cookies and the pages. Nothing here
/// ever shows an exception: failures are typed errors on the error page, unexpected exceptions are logged and
/// shown as <c>internal_error</c>.
/// </summary>
internal sealed class ConnectEndpoints(PkceProviders providers, IOptions<PkceAspNetCoreOptions> options, IAntiforgery antiforgery, TimeProvider clock,
    ILogger<ConnectEndpoints> logger)
{
    private readonly PkceAspNetCoreOptions _options = options.Value;
    private readonly StartLimiter _starts = new(clock);

    /// <summary>GET: starts connecting the signed-in user's account; 302 to the provider.</summary>
    public Task Start(HttpContext context, string provider) => Guarded(context, provider, async found =>
    {
        if (_options.UserId(context) is not { } userId)
        {
            await context.ChallengeAsync();
            return;
        }
        // A page of another site cannot start a connection for the signed-in user (browsers say where a navigation
        // came from; RFC 9700 §4.7's concern, one step earlier): with consent remembered at the provider, the
        // callback would complete and replace the user's tokens with whatever account the browser holds there.
        if (context.Request.Headers["Sec-Fetch-Site"] == "cross-site")
        {
            PkceLog.RequestRefused(logger, "cross_site_start", "a connection started from another site");
            await Page(context, StatusCodes.Status403Forbidden, new PkceConnectFailure(found.Name, "cross_site_start", "a connection can only be started from this app's own pages", null));
            return;
        }
        if (found.KeyOf(userId).IsLeft || !_starts.TryStart(found.Name, userId, _options.MaxStartsPerUser, found.PendingLifetime))
        {
            PkceLog.RequestRefused(logger, "too_many_starts", "a user started more connections than allowed within the pending lifetime");
            await Page(context, StatusCodes.Status429TooManyRequests, new PkceConnectFailure(found.Name, "too_many_starts", "too many connections started; finish or wait for the ones in progress", null));
            return;
        }
        var value = BrowserBinding.NewValue();
        var ct = context.RequestAborted;
        var started = await (from user in UserKey.From(BrowserBinding.BoundUser(found.Name, userId, value)).ToAsync()
                             from config in found.Config(ct)
                             from deps in found.Deps(ct)
                             from flow in Flow.Start(config, deps, found.Pending.Save, user, ct)
                             select flow).ToEither();
        await started.Match(
            async flow =>
            {
                var lifetime = flow.Pending.ExpiresAt - found.Clock.GetUtcNow();
                BrowserBinding.Set(context, BrowserBinding.CookieName(_options.CookiePrefix, flow.Pending.State), value, found.RedirectPath, found.SecureCallback, lifetime);
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
        string? value = null;
        parsed.IfRight(response =>
        {
            var cookie = BrowserBinding.CookieName(_options.CookiePrefix, response.State);
            value = BrowserBinding.Read(context, cookie);
            BrowserBinding.Delete(context, cookie, found.RedirectPath, found.SecureCallback);
        });
        var saved = await (from response in parsed.ToAsync()
                           from user in UserKey.From(BrowserBinding.BoundUser(found.Name, userId, value)).ToAsync()
                           from key in found.KeyOf(userId).ToAsync()
                           from verified in Flow.VerifyCallback(found.Clock, found.Pending.Take, user, response, ct)
                           from config in found.Config(ct)
                           from deps in found.Deps(ct)
                           from token in Token.Exchange(config, deps, verified, ct)
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
                             from outcome in RevokeOrForget(found, key, ct)
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

    /// <summary>
    /// Revokes through the token source; when the source cannot be made (a discovered provider that cannot be reached
    /// after a restart), forgets the tokens anyway, as a logout does offline, and reports why nothing was revoked.
    /// </summary>
    private static EitherAsync<PkceError, Option<PkceError>> RevokeOrForget(PkceProvider found, TokenKey key, CancellationToken ct) =>
        RevokeOrForgetAsync(found, key, ct).ToAsync();

    private static async Task<Either<PkceError, Option<PkceError>>> RevokeOrForgetAsync(PkceProvider found, TokenKey key, CancellationToken ct)
    {
        var source = await found.Source(ct).ToEither();
        if (source.Case is TokenSource ready) return await ready.Revoke(key, ct).ToEither();
        var why = source.LeftToSeq().Head;
        return (await found.Forget(key, ct).ToEither()).Map(_ => Prelude.Some(why));
    }

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
        return Page(context, StatusOf(error), new PkceConnectFailure(provider, error.Code, Shown(error), error));
    }

    private Task Page(HttpContext context, int status, PkceConnectFailure failure)
    {
        context.Response.StatusCode = status;
        NoStore(context);
        return _options.ErrorPage(context, failure);
    }

    /// <summary>
    /// What the page says: the error's own message when it is about the request or what the provider answered; for
    /// failures inside the app or on the way to the provider (a store, the network, a timeout, the configuration),
    /// whose messages name internal hosts, ports and commands, a sentence, with the details in the log.
    /// </summary>
    internal static string Shown(PkceError error) => error switch
    {
        PkceError.StoreFailure or PkceError.InvalidConfiguration => "the app could not keep or read the connection; try again later",
        PkceError.TransportFailure or PkceError.Timeout or PkceError.RedirectRefused or PkceError.UnexpectedResponse or PkceError.InvalidMetadata
            => "the provider could not be reached or did not answer as expected; try again later",
        _ => error.Message,
    };

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

    /// <summary>
    /// Answers of these endpoints are not cached, and the page at the callback URL (which holds the code) sends no
    /// Referer onwards (RFC 9700 §4.2.4).
    /// </summary>
    private static void NoStore(HttpContext context)
    {
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
    }
}
