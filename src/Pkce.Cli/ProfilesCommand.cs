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
        using var profiles = new Profiles(StateDirectory.From(terminal.Variable), terminal.Variable);
        var names = profiles.Names();
        var rows = new List<string[]> { new[] { "PROFILE", "ISSUER", "SCOPE", "STORE", "TOKENS" } };
        var now = DateTimeOffset.UtcNow;
        var anyDpop = false;
        foreach (var name in names)
        {
            var found = profiles.Find(name);
            if (found.IsLeft)
            {
                rows.Add([name, "?", "?", "?", "unreadable: " + ServerText.Printable(found.IfRight(""))]);
                continue;
            }
            foreach (var profile in found.IfLeft(LanguageExt.Option<Profile>.None))
            {
                var stored = await profiles.TokensOf(profile).Load(profile.Key, cancellationToken).ToEither();
                var state = stored.Match(s => Describe(s, now), e => $"unreadable: {e.Message}")
                            + (profile.Dpop is { } dpop ? $"; DPoP-bound ({dpop.Algorithm}, key thumbprint {dpop.Thumbprint})" : "");
                anyDpop |= profile.Dpop is not null;
                rows.Add([name, ServerText.Printable(profile.Server.ExpectedIssuer ?? profile.Server.TokenEndpoint), ServerText.Printable(profile.Login.Scope ?? "-"),
                    profile.Vault, state]);
            }
        }
        var widths = Enumerable.Range(0, 4).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            terminal.Out.WriteLine(string.Join("  ", row.Take(4).Select((cell, i) => cell.PadRight(widths[i])).Append(row[4])));
        terminal.Out.WriteLine($"store file: tokens in files under {profiles.Directory.TokensPath}, readable by their owner only (no credential store)");
        terminal.Out.WriteLine("store secret-service: tokens in the Secret Service as items 'pkce tokens ...' (secret-tool); chosen with pkce login --token-store secret-service");
        if (anyDpop)
            terminal.Out.WriteLine($"DPoP keys: beside the tokens, {Path.Combine(profiles.Directory.TokensPath, "NAME.dpop-key")} (owner only) or the Secret Service item 'pkce DPoP key NAME'; never printed");
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
