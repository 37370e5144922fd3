using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>What the profile commands share: finding the profile, its client secret, and a token source over the file store.</summary>
internal static class ProfileAccess
{
    /// <summary>The environment variable that holds a confidential client's secret.</summary>
    public const string SecretVariable = "PKCE_CLIENT_SECRET";

    /// <summary>Opens the profiles of the terminal's state directory and finds <paramref name="name"/>, or says why not (the exit code).</summary>
    public static (Profiles? Profiles, Profile? Profile, int ExitCode) Open(string name, Terminal terminal)
    {
        if (!Profile.IsValidName(name))
        {
            terminal.Say($"invalid options: --profile '{ServerText.Printable(name)}' is not 1 to 64 letters, digits, '.', '_' or '-' (starting with a letter or digit)");
            return (null, null, ExitCodes.InvalidOptions);
        }
        var profiles = new Profiles(StateDirectory.From(terminal.Variable), terminal.Variable);
        var found = profiles.Find(name);
        if (found.IsLeft)
        {
            terminal.Say("store_failure: " + ServerText.Printable(found.IfRight("")));
            profiles.Dispose();
            return (null, null, ExitCodes.FlowFailed);
        }
        var profile = found.IfLeft(LanguageExt.Option<Profile>.None).IfNoneUnsafe((Profile?)null);
        if (profile is null)
        {
            terminal.Say($"no profile '{name}' in {profiles.Directory.ProfilesPath}; create it with: pkce login --profile {name} --issuer URL --client-id ID");
            profiles.Dispose();
            return (null, null, ExitCodes.InvalidOptions);
        }
        return (profiles, profile, ExitCodes.Success);
    }

    /// <summary>
    /// The client secret for <paramref name="profile"/>: none for a public client; else <c>PKCE_CLIENT_SECRET</c>, or
    /// asked for on the terminal (not echoed) when standard input is one. Null when it is needed and cannot be had.
    /// </summary>
    public static (bool Ok, string? Secret) Secret(Profile profile, Terminal terminal)
    {
        if (!profile.NeedsSecret) return (true, null);
        if (terminal.Variable(SecretVariable) is { Length: > 0 } secret) return (true, secret);
        if (!terminal.InputIsTerminal) return (false, null);
        terminal.Draw($"pkce: client secret of profile {profile.Name} (not shown): ");
        var typed = new System.Text.StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else if (!char.IsControl(key.KeyChar)) typed.Append(key.KeyChar);
        }
        terminal.Draw(Environment.NewLine);
        return typed.Length > 0 ? (true, typed.ToString()) : (false, null);
    }

    /// <summary>The library's configuration of <paramref name="profile"/> with its secret, or the exit code after saying why not.</summary>
    public static (PkceConfig? Config, int ExitCode) Config(Profile profile, Terminal terminal)
    {
        var (ok, secret) = Secret(profile, terminal);
        if (!ok)
        {
            terminal.Say($"invalid options: profile {profile.Name}'s client authenticates with a secret: set {SecretVariable}");
            return (null, ExitCodes.InvalidOptions);
        }
        var config = Pkce.Config.Validate(profile.Settings(secret));
        if (config.Case is PkceError.InvalidConfiguration invalid)
        {
            terminal.Say($"invalid options: profile {profile.Name}: {string.Join("; ", invalid.Problems)}");
            return (null, ExitCodes.InvalidOptions);
        }
        return (config.IfLeft(_ => throw new InvalidOperationException()), ExitCodes.Success);
    }

    /// <summary>
    /// A token source for <paramref name="config"/> over the token store of <paramref name="profile"/>; with
    /// <paramref name="dpop"/>, its refreshes send proofs of that key (RFC 9449 §5) and take DPoP tokens only.
    /// </summary>
    public static TokenSource Source(PkceConfig config, HttpPort http, Profiles profiles, Profile profile, Option<DpopKey> dpop) =>
        new(config, Dependencies.System(http) with { Dpop = dpop.Map(key => new DpopBinding(key)) }, profiles.TokensOf(profile).Ports);

    /// <summary>
    /// The DPoP key of <paramref name="profile"/>: None for a profile without DPoP. When it uses DPoP and its key is
    /// missing (a login is needed) or cannot be used, says why and returns the exit code for it instead of success.
    /// </summary>
    public static (Option<DpopKey> Key, int ExitCode) Key(Profiles profiles, Profile profile, Terminal terminal)
    {
        if (profile.Dpop is null) return (None, ExitCodes.Success);
        return ProfileKeys.Load(profiles, profile).Match(
            found => found.Match(
                key => (Some(key), ExitCodes.Success),
                () => (Option<DpopKey>.None, LoginRequired(terminal, profile.Name, "the DPoP key its tokens are bound to is missing; a login makes a new one"))),
            error =>
            {
                terminal.Say($"{error.Code}: {error.Message}");
                terminal.Say($"the stored tokens are kept; pkce login --profile {profile.Name} --dpop makes a new key");
                return (Option<DpopKey>.None, ExitCodes.FlowFailed);
            });
    }

    /// <summary>Says that a new login is needed and how; the exit code for it.</summary>
    public static int LoginRequired(Terminal terminal, string profile, string reason)
    {
        terminal.Say($"login required: {ServerText.Printable(reason)}");
        terminal.Say($"run: pkce login --profile {profile}");
        return ExitCodes.LoginRequired;
    }

    /// <summary>Why stored tokens cannot be handed out or renewed without a login, if so.</summary>
    public static string? Unusable(StoredTokens stored) =>
        stored.LoginRequired.IsSome ? stored.LoginRequired.IfNone("")
        : stored.Tokens.IsNone ? "no tokens are stored for this profile"
        : null;
}
