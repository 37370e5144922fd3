using Pkce.Http;
using LanguageExt;

namespace Pkce.Cli;

/// <summary>
/// <c>pkce token --profile NAME</c>: a valid access token on stdout and nothing else, renewed (RFC 6749 §6) when it
/// is expired or within a minute of expiry. The renewal is the library's <see cref="TokenSource"/> over the file
/// store, so any number of these processes at once send one refresh request. It never signs in unless asked
/// (<c>--login-if-needed</c>).
/// </summary>
public static class TokenCommand
{
    /// <summary>Runs <c>pkce token</c>; <paramref name="force"/> renews whatever the expiry (<c>pkce refresh --profile</c>).</summary>
    public static async Task<int> RunAsync(string name, TokenFormat format, bool force, bool loginIfNeeded, Terminal terminal, OpenBrowser browser,
        CancellationToken cancellationToken)
    {
        var (profiles, profile, exit) = ProfileAccess.Open(name, terminal);
        if (profiles is null || profile is null) return exit;
        using (profiles)
        {
            var stored = await profiles.TokensOf(profile).Load(profile.Key, cancellationToken).ToEither();
            if (stored.Case is PkceError loadError) return Failed(terminal, loadError);
            var current = stored.IfLeft(StoredTokens.Nothing);
            var now = DateTimeOffset.UtcNow;
            // The everyday case touches no network, no HTTP client and no configuration: a fresh token is printed.
            if (!force && ProfileAccess.Unusable(current) is null
                && current.Tokens.Exists(t => t.IsFreshAt(now, TokenSourceOptions.Default.Margin)))
                return Print(terminal, current.Tokens.IfNone(() => throw new InvalidOperationException()), format);
            if (ProfileAccess.Unusable(current) is { } unusable)
                return loginIfNeeded ? await LoginAsync(name, format, terminal, browser, cancellationToken) : ProfileAccess.LoginRequired(terminal, name, unusable);

            var (config, configExit) = ProfileAccess.Config(profile, terminal);
            if (config is null) return configExit;
            using var http = HttpPort.Create();
            var source = ProfileAccess.Source(config, http, profiles, profile);
            var renewed = await (force ? source.Refresh(profile.Key, cancellationToken) : source.Get(profile.Key, cancellationToken)).ToEither();
            return await renewed.MatchAsync(
                tokens => Print(terminal, tokens, format),
                async error => error is PkceError.LoginRequired required
                    ? loginIfNeeded ? await LoginAsync(name, format, terminal, browser, cancellationToken) : ProfileAccess.LoginRequired(terminal, name, required.Reason)
                    : Failed(terminal, error));
        }
    }

    private static async Task<int> LoginAsync(string name, TokenFormat format, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        terminal.Say($"signing in again for profile {name} (--login-if-needed)");
        var (exit, tokens) = await ProfileLogin.RunAsync(new LoginOptions { Profile = name }, terminal, browser, cancellationToken);
        return tokens.Match(t => Print(terminal, t, format), () => exit);
    }

    private static int Print(Terminal terminal, TokenSet tokens, TokenFormat format) =>
        TokenOutput.Write(terminal, tokens, format, DateTimeOffset.UtcNow) ? ExitCodes.Success : ExitCodes.FlowFailed;

    private static int Failed(Terminal terminal, PkceError error)
    {
        terminal.Say($"{error.Code}: {error.Message}");
        if (error is not PkceError.StoreFailure) terminal.Say("the stored tokens are kept; try again later");
        return ExitCodes.FlowFailed;
    }
}
