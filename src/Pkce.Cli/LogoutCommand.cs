using Pkce.Http;

namespace Pkce.Cli;

/// <summary>
/// <c>pkce logout --profile NAME</c>: revokes the refresh token and the access token (RFC 7009) and deletes the
/// stored tokens, whatever the server said: offline, or without a revocation endpoint, it still succeeds, with a
/// warning that the server was not told. The profile's settings stay, so <c>pkce login --profile NAME</c> signs in again.
/// </summary>
public static class LogoutCommand
{
    /// <summary>Runs <c>pkce logout</c>.</summary>
    public static async Task<int> RunAsync(string name, Terminal terminal, CancellationToken cancellationToken)
    {
        var (profiles, profile, exit) = ProfileAccess.Open(name, terminal);
        if (profiles is null || profile is null) return exit;
        using (profiles)
        {
            var stored = await profiles.TokensOf(profile).Load(profile.Key, cancellationToken).ToEither();
            if (stored.Case is PkceError loadError) return Failed(terminal, loadError);
            if (stored.Exists(s => s.Tokens.IsNone))
            {
                terminal.Say($"no tokens are stored for profile {name}; nothing to revoke");
                return ExitCodes.Success;
            }
            var (config, _) = ProfileAccess.Config(profile, terminal);
            if (config is null)
            {
                // The signed-out mark the library leaves, so the version keeps growing (a writer that read the old
                // tokens can never win over a later login).
                var version = stored.Map(s => s.Version).IfLeft(0);
                var marked = await profiles.TokensOf(profile).Swap(profile.Key, version, new StoredTokens(0, LanguageExt.Prelude.None, LanguageExt.Prelude.Some("signed out")), cancellationToken).ToEither();
                if (marked.Case is PkceError deleteError) return Failed(terminal, deleteError);
                terminal.Say("warning: the server was not told (the tokens could not be revoked without the client's configuration); the stored tokens are deleted");
                return ExitCodes.Success;
            }
            using var http = HttpPort.Create();
            // RFC 9449 defines no proof for revocation (RFC 7009): the client's own authentication is what the
            // server checks, so a DPoP profile whose key is missing or unusable is still signed out. Its key is
            // kept, like its settings: the next login binds its tokens to the same key.
            var key = profile.Dpop is null ? LanguageExt.Option<DpopKey>.None : ProfileKeys.Load(profiles, profile).IfLeft(LanguageExt.Option<DpopKey>.None);
            try
            {
                var revoked = await ProfileAccess.Source(config, http, profiles, profile, key).Revoke(profile.Key, cancellationToken).ToEither();
                return Report(terminal, name, revoked);
            }
            finally
            {
                key.IfSome(k => k.Dispose());
            }
        }
    }

    private static int Report(Terminal terminal, string name, LanguageExt.Either<PkceError, LanguageExt.Option<PkceError>> revoked) =>
        revoked.Match(
            problem =>
            {
                problem.Match(
                    error => terminal.Say($"warning: the server was not told ({error.Code}: {error.Message}); the stored tokens are deleted"),
                    () => terminal.Say($"revoked the tokens of profile {name} at the server (RFC 7009) and deleted them"));
                terminal.Say($"the profile's settings are kept: pkce login --profile {name} signs in again");
                return ExitCodes.Success;
            },
            error => Failed(terminal, error));

    private static int Failed(Terminal terminal, PkceError error)
    {
        terminal.Say($"{error.Code}: {error.Message}");
        return ExitCodes.FlowFailed;
    }
}
