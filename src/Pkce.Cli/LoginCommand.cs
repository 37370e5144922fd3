using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>How <c>pkce login</c> ended: its exit code and, on success, the token and the configuration it came from.</summary>
/// <param name="ExitCode">See <see cref="ExitCodes"/>.</param>
/// <param name="Token">The token response, on success.</param>
/// <param name="Config">The configuration used (given or discovered), on success.</param>
public sealed record LoginOutcome(int ExitCode, Option<TokenResponse> Token, Option<PkceConfig> Config = default);

/// <summary>
/// <c>pkce login</c>: the RFC 8252 native-app flow. Listens on the loopback redirect URI, sends the user to the
/// authorization URL, lets only the callback carrying this login's state decide, and exchanges the code. With
/// <c>--issuer</c> and no endpoints, the endpoints come from the server's metadata (RFC 8414; pushed authorization
/// requests when it offers them). All protocol steps are <c>Pkce.Core</c>'s (<see cref="DiscoveredConfig"/>,
/// <see cref="Flow"/>); this is the shell around them.
/// </summary>
public static class LoginCommand
{
    private static readonly UserKey CommandLineUser = UserKey.From("command-line").IfLeft(_ => throw new InvalidOperationException());
    private static readonly string[] Spinner = ["|", "/", "-", "\\"];

    /// <summary>
    /// Runs the flow; on success prints the token JSON alone on stdout, unless <see cref="LoginOptions.Profile"/> is
    /// set (the caller keeps the tokens then, and prints nothing there).
    /// </summary>
    public static Task<LoginOutcome> RunAsync(LoginOptions options, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken) =>
        RunAsync(options, None, terminal, browser, cancellationToken);

    /// <summary>
    /// Runs the flow with the tokens bound to <paramref name="dpop"/> when given (RFC 9449: <c>dpop_jkt</c> in the
    /// authorization request, a proof on the code exchange, <c>token_type</c> <c>DPoP</c> required back).
    /// </summary>
    public static async Task<LoginOutcome> RunAsync(LoginOptions options, Option<DpopKey> dpop, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        var (redirect, problem) = options.Redirect();
        if (redirect is null) return Usage(terminal, problem!);
        if (options.TimeoutSeconds is <= 0 or > LoginOptions.MaxTimeoutSeconds)
            return Usage(terminal, $"--timeout {options.TimeoutSeconds} is not between 1 and {LoginOptions.MaxTimeoutSeconds} seconds");
        CallbackListener listener;
        try
        {
            listener = await CallbackListener.StartAsync(redirect, terminal.Say, cancellationToken);
        }
        catch (IOException e)
        {
            return Usage(terminal, $"cannot listen on {redirect}: {e.Message}");
        }
        await using (listener)
        {
            var (settings, optionProblem) = options.Settings(listener.RedirectUri);
            if (settings is null) return Usage(terminal, optionProblem!);
            using var http = HttpPort.Create();
            var deps = Dependencies.System(http) with { Dpop = dpop.Map(key => new DpopBinding(key)) };
            Either<PkceError, PkceConfig> config;
            try
            {
                config = options.Discovers
                    ? await Discover(settings, options.Issuer!, deps, dpop, terminal, cancellationToken)
                    : Config.Validate(settings);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                terminal.Say("interrupted");
                return new LoginOutcome(ExitCodes.Interrupted, None);
            }
            if (config.Case is PkceError.InvalidConfiguration invalid) return Usage(terminal, string.Join("; ", invalid.Problems));
            if (config.Case is PkceError.InvalidValue { Kind: "issuer" or DpopAlgorithmKind } badValue) return Usage(terminal, badValue.Message);
            if (config.Case is PkceError discoveryError) return Failed(terminal, discoveryError);
            var (store, storeProblem) = await StoreChoice.OpenAsync(options.Store, cancellationToken);
            if (store is null) return Usage(terminal, storeProblem!);
            await using (store)
                return await RunAsync(config.IfLeft(_ => throw new InvalidOperationException()), deps, store.Store, listener, options, terminal, browser, cancellationToken);
        }
    }

    /// <summary>RFC 8414: the endpoints, the issuer to check and the client authentication from the server's metadata.</summary>
    private static async Task<Either<PkceError, PkceConfig>> Discover(PkceSettings settings, string issuer, Dependencies deps, Option<DpopKey> dpop,
        Terminal terminal, CancellationToken cancellationToken)
    {
        terminal.Say($"discovering the endpoints of {ServerText.Printable(issuer)}");
        var cache = new MetadataCache(deps.Http, deps.Clock, TimeSpan.FromMinutes(5), settings.Timeout);
        var config = await DiscoveredConfig.Discover(settings, cache, issuer, cancellationToken).ToEither();
        config.IfRight(c => terminal.Say(c.Server.PushedAuthorizationRequestEndpoint.IsSome
            ? "the server takes pushed authorization requests (RFC 9126): the URL carries only a reference"
            : "the server takes no pushed authorization requests"));
        if (config.IsLeft || dpop.Case is not DpopKey key) return config;
        // The metadata is in the cache now: this reads it, sending nothing.
        var metadata = await cache.Get(issuer, cancellationToken).ToEither();
        return metadata.Match(
            m => m.DpopSigningAlgorithms.Match(
                algorithms => algorithms.Contains(key.Algorithm)
                    ? config
                    : new PkceError.InvalidValue(DpopAlgorithmKind, $"the server takes DPoP proofs signed with {ServerText.Printable(string.Join(", ", algorithms))} only " +
                        $"(dpop_signing_alg_values_supported, RFC 9449 §5.1), not {key.Algorithm}: choose one with --dpop-alg"),
                () =>
                {
                    terminal.Say("warning: the server's metadata has no dpop_signing_alg_values_supported (RFC 9449 §5.1); it may not issue DPoP-bound tokens");
                    return config;
                }),
            _ => config);
    }

    /// <summary>The <see cref="PkceError.InvalidValue.Kind"/> of a key algorithm the server does not take.</summary>
    private const string DpopAlgorithmKind = "--dpop-alg";

    private static async Task<LoginOutcome> RunAsync(PkceConfig config, Dependencies deps, PendingStore store, CallbackListener listener, LoginOptions options,
        Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        try
        {
            var started = await Flow.Start(config, deps, store.Save, CommandLineUser, cancellationToken).ToEither();
            if (started.Case is PkceError startError) return Failed(terminal, startError);
            var flow = started.IfLeft(() => throw new InvalidOperationException());
            listener.Expect(flow.Pending.State);
            var url = flow.AuthorizationUrl;
            terminal.Say("open this URL to sign in:");
            terminal.Draw(url + Environment.NewLine);
            if (!options.NoBrowser && !await browser(url, cancellationToken))
                terminal.Say("could not open a browser; open the URL above yourself");

            var callback = await WaitAsync(listener, TimeSpan.FromSeconds(options.TimeoutSeconds), terminal, cancellationToken);
            if (callback is null)
            {
                terminal.Say($"timeout: no callback within {options.TimeoutSeconds} s");
                return new LoginOutcome(ExitCodes.TimedOut, None);
            }
            terminal.Say("callback received; exchanging the code");
            var token = await Flow.Complete(config, deps, store.Take, CommandLineUser, callback, cancellationToken).ToEither();
            return token.Match(
                t =>
                {
                    listener.Answer(new ResultPage(true, "The command-line tool has its token."));
                    if (options.Profile is null) terminal.Out.WriteLine(TokenJson.Printable(t));
                    return new LoginOutcome(ExitCodes.Success, Some(t), Some(config));
                },
                error =>
                {
                    listener.Answer(new ResultPage(false, error.Message));
                    return Failed(terminal, error);
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            terminal.Say("interrupted");
            return new LoginOutcome(ExitCodes.Interrupted, None);
        }
    }

    /// <summary>Waits for the callback, drawing a live indicator when stderr is a terminal; null on timeout.</summary>
    private static async Task<string?> WaitAsync(CallbackListener listener, TimeSpan timeout, Terminal terminal, CancellationToken cancellationToken)
    {
        terminal.Say($"waiting for the callback on {listener.RedirectUri} (up to {timeout.TotalSeconds:0} s)");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = DateTime.UtcNow;
        for (var tick = 0; ; tick++)
        {
            try
            {
                var callback = await listener.Callback.WaitAsync(TimeSpan.FromMilliseconds(terminal.ErrorIsTerminal ? 250 : 1000), deadline.Token);
                if (terminal.ErrorIsTerminal) terminal.Draw("\r\u001b[K");
                return callback;
            }
            catch (TimeoutException)
            {
                if (terminal.ErrorIsTerminal)
                    terminal.Draw($"\r{Spinner[tick % Spinner.Length]} waiting {(DateTime.UtcNow - started).TotalSeconds:0} s ");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (terminal.ErrorIsTerminal) terminal.Draw("\r\u001b[K");
                return null;
            }
        }
    }

    private static LoginOutcome Usage(Terminal terminal, string problem)
    {
        terminal.Say("invalid options: " + problem);
        return new LoginOutcome(ExitCodes.InvalidOptions, None);
    }

    private static LoginOutcome Failed(Terminal terminal, PkceError error)
    {
        terminal.Say($"{error.Code}: {error.Message}");
        return new LoginOutcome(ExitCodes.FlowFailed, None);
    }
}
