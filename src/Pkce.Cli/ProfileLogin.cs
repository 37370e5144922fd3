using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>How <c>pkce login --profile NAME</c> ended.</summary>
/// <param name="ExitCode">See <see cref="ExitCodes"/>.</param>
/// <param name="Tokens">The tokens saved, on success.</param>
/// <param name="Dpop">The DPoP key they are bound to, when the profile uses DPoP (the caller disposes of it).</param>
public sealed record ProfileLoginOutcome(int ExitCode, Option<TokenSet> Tokens, Option<DpopKey> Dpop);

/// <summary>
/// <c>pkce login --profile NAME</c>: a login whose options fill in from the saved profile, and whose settings (never
/// the client secret) and tokens are saved under that name instead of printed. A profile that uses DPoP
/// (<c>--dpop</c>, then remembered) binds every login's tokens to its one key, kept beside its tokens
/// (<see cref="ProfileKeys"/>); the key is made on its first DPoP login.
/// </summary>
public static class ProfileLogin
{
    /// <summary>Signs in; on success the profile, its DPoP key if any, and its tokens are saved and the tokens returned.</summary>
    public static async Task<ProfileLoginOutcome> RunAsync(LoginOptions given, Terminal terminal, OpenBrowser browser, CancellationToken cancellationToken)
    {
        var name = given.Profile!;
        if (!Profile.IsValidName(name))
        {
            terminal.Say($"invalid options: --profile '{ServerText.Printable(name)}' is not 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit)");
            return new(ExitCodes.InvalidOptions, None, None);
        }
        using var profiles = new Profiles(StateDirectory.From(terminal.Variable), terminal.Variable);
        var found = profiles.Find(name);
        if (found.IsLeft)
        {
            terminal.Say("store_failure: " + ServerText.Printable(found.IfRight("")));
            return new(ExitCodes.FlowFailed, None, None);
        }
        var saved = found.IfLeft(Option<Profile>.None);
        var options = saved.Match(p => given.Over(p.Login), () => given);
        if (!string.IsNullOrEmpty(options.ClientSecret))
            terminal.Say($"the client secret is not saved: refreshes take it from {ProfileAccess.SecretVariable} (or ask for it on a terminal)");

        var (dpop, keyExit) = KeyFor(given, saved, profiles, terminal);
        if (keyExit != ExitCodes.Success) return new(keyExit, None, None);
        var outcome = await LoginCommand.RunAsync(options, dpop, terminal, browser, cancellationToken);
        if (outcome.ExitCode != ExitCodes.Success)
        {
            dpop.IfSome(key => key.Dispose());
            return new(outcome.ExitCode, None, None);
        }
        var result = await SaveAsync(name, given, saved, options, outcome, dpop, profiles, terminal, cancellationToken);
        if (result.ExitCode != ExitCodes.Success) dpop.IfSome(key => key.Dispose());
        return result;
    }

    /// <summary>
    /// The key this login binds the tokens to: none for a profile without DPoP; else the profile's stored key when
    /// it has one of the algorithm asked for, or a new one (the first DPoP login, another <c>--dpop-alg</c>, or a
    /// stored key that is missing or cannot be used, which is said).
    /// </summary>
    private static (Option<DpopKey> Key, int ExitCode) KeyFor(LoginOptions given, Option<Profile> saved, Profiles profiles, Terminal terminal)
    {
        var was = saved.Bind(p => Optional(p.Dpop));
        if (!given.Dpop && was.IsNone) return (None, ExitCodes.Success);
        var algorithm = given.DpopAlgorithm ?? was.Map(d => d.Algorithm).IfNone(ProfileDpop.DefaultAlgorithm);
        if (saved.Case is Profile old && old.Dpop?.Algorithm == algorithm)
        {
            var loaded = ProfileKeys.Load(profiles, old);
            if (loaded.Case is Option<DpopKey> { Case: DpopKey kept })
            {
                terminal.Say($"using the profile's DPoP key ({kept.Algorithm}, thumbprint {kept.Thumbprint})");
                return (Some(kept), ExitCodes.Success);
            }
            terminal.Say(loaded.Match(
                _ => $"warning: the DPoP key of profile {old.Name} is missing; a new key is made, and tokens bound to the old one are replaced",
                error => $"warning: {error.Message}; a new key is made"));
        }
        return DpopKey.Generate(algorithm).Match(
            key =>
            {
                terminal.Say($"made a new DPoP key ({key.Algorithm}, thumbprint {key.Thumbprint}); it is kept beside the profile's tokens, never printed");
                return (Some(key), ExitCodes.Success);
            },
            error =>
            {
                terminal.Say("invalid options: " + error.Message);
                return (Option<DpopKey>.None, ExitCodes.InvalidOptions);
            });
    }

    private static async Task<ProfileLoginOutcome> SaveAsync(string name, LoginOptions given, Option<Profile> saved, LoginOptions options, LoginOutcome outcome,
        Option<DpopKey> dpop, Profiles profiles, Terminal terminal, CancellationToken cancellationToken)
    {
        var config = outcome.Config.IfNone(() => throw new InvalidOperationException("a successful login has its configuration"));
        var token = outcome.Token.IfNone(() => throw new InvalidOperationException("a successful login has its token"));

        var profile = new Profile(name, new LoginOptions
        {
            Issuer = options.Issuer, Authority = options.Authority, AuthorizePath = options.AuthorizePath, TokenPath = options.TokenPath,
            AuthorizationEndpoint = options.AuthorizationEndpoint, TokenEndpoint = options.TokenEndpoint, ClientId = options.ClientId,
            ClientAuth = options.ClientAuth, Scope = options.Scope, RedirectUri = options.RedirectUri,
        }, ProfileServer.Of(config), given.TokenStore ?? saved.Map(p => p.Vault).IfNone(Profile.FileVaultName), dpop.Map(ProfileDpop.Of).IfNoneUnsafe((ProfileDpop?)null));
        // The key goes first (tokens bound to it are of no use without it), then the new tokens to the new store: if
        // either store cannot take them (a keyring out of reach), the profile stays as it was. Only a new key of
        // another algorithm leaves the old tokens without theirs then: the file holds one key per profile.
        if (dpop.Case is DpopKey key)
        {
            try
            {
                await ProfileKeys.SaveAsync(profiles, profile, key, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
            {
                terminal.Say($"store_failure: the DPoP key could not be saved: {ServerText.Printable(e.Message)}");
                return new(ExitCodes.FlowFailed, None, None);
            }
        }
        using var http = HttpPort.Create();
        var kept = await ProfileAccess.Source(config, http, profiles, profile, dpop).Save(profile.Key, token, cancellationToken).ToEither();
        if (kept.IsRight)
        {
            try
            {
                await profiles.SaveAsync(profile, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
            {
                terminal.Say($"store_failure: the profile could not be saved: {ServerText.Printable(e.Message)}");
                return new(ExitCodes.FlowFailed, None, None);
            }
            // Tokens of other settings (another issuer, scope or store) under this name are no longer this profile's.
            foreach (var old in saved.Where(old => old.Key != profile.Key || old.Vault != profile.Vault))
                await profiles.TokensOf(old).Delete(old.Key, cancellationToken).ToEither();
            // Nor is a key left in the store the profile no longer uses.
            foreach (var old in saved.Where(old => old.Dpop is not null && old.Vault != profile.Vault))
            {
                try
                {
                    await ProfileKeys.DeleteAsync(profiles, old, cancellationToken);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or TimeoutException)
                {
                    terminal.Say($"warning: the old DPoP key in the {old.Vault} store could not be deleted: {ServerText.Printable(e.Message)}");
                }
            }
        }
        return kept.Match(
            tokens =>
            {
                terminal.Say($"signed in; profile {name} saved in {profiles.Directory.Path}, tokens in " +
                             (profile.Vault == SecretServiceVault.StoreName ? "the Secret Service" : "files there") + "; access token " +
                             tokens.ExpiresAt.Match(at => $"valid until {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z", () => "without a stated expiry") +
                             $", refresh token {(tokens.RefreshToken.IsSome ? "kept" : "not issued (ask for offline_access?)")}" +
                             (profile.Dpop is { } bound ? $"; tokens bound to the DPoP key with thumbprint {bound.Thumbprint} (RFC 9449)" : ""));
                terminal.Say(profile.Dpop is null
                    ? $"print it with: pkce token --profile {name}"
                    : $"print the request's headers with: pkce token --profile {name} --header --method GET --url URL");
                return new ProfileLoginOutcome(ExitCodes.Success, Some(tokens), dpop);
            },
            error =>
            {
                terminal.Say($"{error.Code}: the tokens could not be saved: {error.Message}");
                return new ProfileLoginOutcome(ExitCodes.FlowFailed, None, None);
            });
    }
}
