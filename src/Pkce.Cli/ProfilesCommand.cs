namespace Pkce.Cli;

/// <summary>
/// <c>pkce profiles</c>: one line per saved profile (name, issuer, scope, and whether a token is stored and until
/// when) and where the tokens are kept. No token or secret is printed.
/// </summary>
public static class ProfilesCommand
{
    /// <summary>Runs <c>pkce profiles</c>.</summary>
    public static async Task<int> RunAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        using var profiles = new Profiles(StateDirectory.From(terminal.Variable));
        var names = profiles.Names();
        var rows = new List<string[]> { new[] { "PROFILE", "ISSUER", "SCOPE", "TOKENS" } };
        var now = DateTimeOffset.UtcNow;
        foreach (var name in names)
        {
            var found = profiles.Find(name);
            if (found.IsLeft)
            {
                rows.Add([name, "?", "?", "unreadable: " + ServerText.Printable(found.IfRight(""))]);
                continue;
            }
            foreach (var profile in found.IfLeft(LanguageExt.Option<Profile>.None))
            {
                var stored = await profiles.Tokens.Load(profile.Key, cancellationToken).ToEither();
                var state = stored.Match(s => Describe(s, now), e => $"unreadable: {e.Message}");
                rows.Add([name, ServerText.Printable(profile.Server.ExpectedIssuer ?? profile.Server.TokenEndpoint), ServerText.Printable(profile.Login.Scope ?? "-"), state]);
            }
        }
        var widths = Enumerable.Range(0, 3).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            terminal.Out.WriteLine($"{row[0].PadRight(widths[0])}  {row[1].PadRight(widths[1])}  {row[2].PadRight(widths[2])}  {row[3]}");
        terminal.Out.WriteLine($"tokens are kept in files under {profiles.Directory.TokensPath} (readable by their owner only); no credential store is used");
        return ExitCodes.Success;
    }

    private static string Describe(StoredTokens stored, DateTimeOffset now)
    {
        if (ProfileAccess.Unusable(stored) is { } why) return stored.Version == 0 ? "none" : "login required: " + ServerText.Printable(why);
        var tokens = stored.Tokens.IfNone(() => throw new InvalidOperationException());
        var refresh = tokens.RefreshToken.IsSome ? "refresh token stored" : "no refresh token";
        return tokens.ExpiresAt.Match(
            at => at > now ? $"valid until {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, {refresh}" : $"expired {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z, {refresh}",
            () => $"stored (no stated expiry), {refresh}");
    }
}
