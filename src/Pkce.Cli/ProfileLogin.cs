using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>
/// <c>pkce login --profile NAME</c>: a login whose options fill in from the saved profile, and whose settings (never
/// the client secret) and tokens are saved under that name instead of printed.
/// </summary>
public static class ProfileLogin
{
    /// <summary>Signs in; on success the profile and its tokens are saved and the tokens returned.</summary>
    public static async Task<(int ExitCode, Option<TokenSet> Tokens)> RunAsync(LoginOptions given, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        var name = given.Profile!;
        if (!Profile.IsValidName(name))
        {
            terminal.Say($"invalid options: --profile '{ServerText.Printable(name)}' is not 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit)");
            return (ExitCodes.InvalidOptions, None);
        }
        using var profiles = new Profiles(StateDirectory.From(terminal.Variable), terminal.Variable);
        var found = profiles.Find(name);
        if (found.IsLeft)
        {
            terminal.Say("store_failure: " + ServerText.Printable(found.IfRight("")));
            return (ExitCodes.FlowFailed, None);
        }
        var saved = found.IfLeft(Option<Profile>.None);
        var options = saved.Match(p => given.Over(p.Login), () => given);
        if (!string.IsNullOrEmpty(options.ClientSecret))
            terminal.Say($"the client secret is not saved: refreshes take it from {ProfileAccess.SecretVariable} (or ask for it on a terminal)");

        var outcome = await LoginCommand.RunAsync(options, terminal, browser, cancellationToken);
        if (outcome.ExitCode != ExitCodes.Success) return (outcome.ExitCode, None);
        var config = outcome.Config.IfNone(() => throw new InvalidOperationException("a successful login has its configuration"));
        var token = outcome.Token.IfNone(() => throw new InvalidOperationException("a successful login has its token"));

        var profile = new Profile(name, new LoginOptions
        {
            Issuer = options.Issuer, Authority = options.Authority, AuthorizePath = options.AuthorizePath, TokenPath = options.TokenPath,
            AuthorizationEndpoint = options.AuthorizationEndpoint, TokenEndpoint = options.TokenEndpoint, ClientId = options.ClientId,
            ClientAuth = options.ClientAuth, Scope = options.Scope, RedirectUri = options.RedirectUri,
        }, ProfileServer.Of(config), given.TokenStore ?? saved.Map(p => p.Vault).IfNone(Profile.FileVaultName));
        // The new tokens go to the new store first: if that store cannot take them (a keyring out of reach), the
        // profile and its old tokens stay as they were and nothing is lost.
        using var http = HttpPort.Create();
        var kept = await ProfileAccess.Source(config, http, profiles, profile).Save(profile.Key, token, cancellationToken).ToEither();
        if (kept.IsRight)
        {
            try
            {
                await profiles.SaveAsync(profile, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
            {
                terminal.Say($"store_failure: the profile could not be saved: {ServerText.Printable(e.Message)}");
                return (ExitCodes.FlowFailed, None);
            }
            // Tokens of other settings (another issuer, scope or store) under this name are no longer this profile's.
            foreach (var old in saved.Where(old => old.Key != profile.Key || old.Vault != profile.Vault))
                await profiles.TokensOf(old).Delete(old.Key, cancellationToken).ToEither();
        }
        return kept.Match(
            tokens =>
            {
                terminal.Say($"signed in; profile {name} saved in {profiles.Directory.Path}, tokens in " +
                             (profile.Vault == SecretServiceVault.StoreName ? "the Secret Service" : "files there") + "; access token " +
                             tokens.ExpiresAt.Match(at => $"valid until {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", () => "without a stated expiry") +
                             $", refresh token {(tokens.RefreshToken.IsSome ? "kept" : "not issued (ask for offline_access?)")}");
                terminal.Say($"print it with: pkce token --profile {name}");
                return (ExitCodes.Success, Some(tokens));
            },
            error =>
            {
                terminal.Say($"{error.Code}: the tokens could not be saved: {error.Message}");
                return (ExitCodes.FlowFailed, Option<TokenSet>.None);
            });
    }
}
