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
    /// <summary>
    /// Runs <c>pkce token</c>; <paramref name="force"/> renews whatever the expiry (<c>pkce refresh --profile</c>).
    /// <paramref name="request"/> is the request a DPoP profile's <c>--header</c> makes its proof for (ignored for a
    /// bearer profile, whose header needs none).
    /// </summary>
    public static async Task<int> RunAsync(string name, TokenFormat format, ProofRequest? request, bool force, bool loginIfNeeded, Terminal terminal,
        OpenBrowser browser, CancellationToken cancellationToken)
    {
        var (profiles, profile, exit) = ProfileAccess.Open(name, terminal);
        if (profiles is null || profile is null) return exit;
        using (profiles)
        {
            if (format == TokenFormat.Header && profile.Dpop is not null && request is null)
            {
                terminal.Say($"invalid options: profile {name} uses DPoP: --header needs --method METHOD --url URL, the request its proof is for (RFC 9449 §4.2)");
                return ExitCodes.InvalidOptions;
            }
            var (key, keyExit) = ProfileAccess.Key(profiles, profile, terminal);
            if (keyExit != ExitCodes.Success) return loginIfNeeded && keyExit == ExitCodes.LoginRequired
                ? await LoginAsync(name, format, request, terminal, browser, cancellationToken)
                : keyExit;
            try
            {
                return await RunAsync(profiles, profile, key, format, request, force, loginIfNeeded, terminal, browser, cancellationToken);
            }
            finally
            {
                key.IfSome(k => k.Dispose());
            }
        }
    }

    private static async Task<int> RunAsync(Profiles profiles, Profile profile, Option<DpopKey> key, TokenFormat format, ProofRequest? request, bool force,
        bool loginIfNeeded, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        var name = profile.Name;
        var stored = await profiles.TokensOf(profile).Load(profile.Key, cancellationToken).ToEither();
        if (stored.Case is PkceError loadError) return Failed(terminal, loadError);
        var current = stored.IfLeft(StoredTokens.Nothing);
        var now = DateTimeOffset.UtcNow;
        // The everyday case touches no network, no HTTP client and no configuration: a fresh token is printed.
        if (!force && ProfileAccess.Unusable(current) is null
            && current.Tokens.Exists(t => t.IsFreshAt(now, TokenSourceOptions.Default.Margin)))
            return Print(terminal, profile, key, current.Tokens.IfNone(() => throw new InvalidOperationException()), format, request);
        if (ProfileAccess.Unusable(current) is { } unusable)
            return loginIfNeeded ? await LoginAsync(name, format, request, terminal, browser, cancellationToken) : ProfileAccess.LoginRequired(terminal, name, unusable);

        var (config, configExit) = ProfileAccess.Config(profile, terminal);
        if (config is null) return configExit;
        using var http = HttpPort.Create();
        var source = ProfileAccess.Source(config, http, profiles, profile, key);
        var renewed = await (force ? source.Refresh(profile.Key, cancellationToken) : source.Get(profile.Key, cancellationToken)).ToEither();
        return await renewed.MatchAsync(
            tokens => Print(terminal, profile, key, tokens, format, request),
            async error => error is PkceError.LoginRequired required
                ? loginIfNeeded ? await LoginAsync(name, format, request, terminal, browser, cancellationToken) : ProfileAccess.LoginRequired(terminal, name, required.Reason)
                : Failed(terminal, error));
    }

    private static async Task<int> LoginAsync(string name, TokenFormat format, ProofRequest? request, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        terminal.Say($"signing in again for profile {name} (--login-if-needed)");
        var outcome = await ProfileLogin.RunAsync(new LoginOptions { Profile = name }, terminal, browser, cancellationToken);
        try
        {
            if (outcome.Tokens.Case is not TokenSet tokens) return outcome.ExitCode;
            using var profiles = new Profiles(StateDirectory.From(terminal.Variable), terminal.Variable);
            var profile = profiles.Find(name).IfLeft(Option<Profile>.None).IfNoneUnsafe((Profile?)null);
            return profile is null ? ExitCodes.FlowFailed : Print(terminal, profile, outcome.Dpop, tokens, format, request);
        }
        finally
        {
            outcome.Dpop.IfSome(k => k.Dispose());
        }
    }

    /// <summary>
    /// Prints <paramref name="tokens"/>: for a DPoP profile's <c>--header</c>, the two headers of <see cref="DpopHeaders"/>;
    /// otherwise as <see cref="TokenOutput"/> does. A token whose type is not the profile's (a bearer token kept for
    /// a profile that now uses DPoP, or the reverse) is not printed: a login replaces it.
    /// </summary>
    private static int Print(Terminal terminal, Profile profile, Option<DpopKey> key, TokenSet tokens, TokenFormat format, ProofRequest? request)
    {
        var isDpop = string.Equals(tokens.TokenType, WireNames.Dpop, StringComparison.OrdinalIgnoreCase);
        if (isDpop != (profile.Dpop is not null))
            return ProfileAccess.LoginRequired(terminal, profile.Name, $"the stored token is of type {ServerText.Printable(tokens.TokenType)}, but the profile " +
                (profile.Dpop is null ? "does not use DPoP" : "binds its tokens to a DPoP key"));
        var printed = format == TokenFormat.Header && key.Case is DpopKey dpop && request is not null
            ? DpopHeaders.Write(terminal, tokens, dpop, request, Secrets.SystemRandom, TimeProvider.System)
            : TokenOutput.Write(terminal, tokens, format, DateTimeOffset.UtcNow);
        return printed ? ExitCodes.Success : ExitCodes.FlowFailed;
    }

    private static int Failed(Terminal terminal, PkceError error)
    {
        terminal.Say($"{error.Code}: {error.Message}");
        if (error is not PkceError.StoreFailure) terminal.Say("the stored tokens are kept; try again later");
        return ExitCodes.FlowFailed;
    }
}
