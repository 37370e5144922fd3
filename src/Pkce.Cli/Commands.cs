using System.CommandLine;
using System.CommandLine.Parsing;

namespace Pkce.Cli;

/// <summary>
/// The command line: <c>pkce login</c>, the everyday profile commands (<c>token</c>, <c>refresh</c>, <c>logout</c>,
/// <c>profiles</c>) and <c>pkce demo</c>. Building it creates option objects only: each command's work, and the
/// assemblies it needs (ASP.NET Core for a login's listener, the local authority for the demo), is loaded when it runs.
/// </summary>
public static class Commands
{
    /// <summary>Builds the root command; <paramref name="browser"/> replaces the system browser (tests, demo).</summary>
    public static RootCommand Build(Terminal terminal, OpenBrowser? browser = null)
    {
        var root = new RootCommand("Obtain OAuth 2.0 access tokens with the authorization code flow and PKCE (RFC 7636).");
        browser ??= Browsers.System;
        root.Subcommands.Add(Login(terminal, browser));
        root.Subcommands.Add(Token(terminal, browser));
        root.Subcommands.Add(Refresh(terminal, browser));
        root.Subcommands.Add(Logout(terminal));
        root.Subcommands.Add(Profiles(terminal));
        root.Subcommands.Add(Demo(terminal));
        return root;
    }

    private static Command Login(Terminal terminal, OpenBrowser browser)
    {
        var authority = new Option<string?>("--authority") { Description = "Base URL of the authorization server (the seed's root URL)" };
        var authorizePath = new Option<string>("--authorize-path") { Description = "Authorization endpoint relative to --authority", DefaultValueFactory = _ => "authorize" };
        var tokenPath = new Option<string>("--token-path") { Description = "Token endpoint relative to --authority", DefaultValueFactory = _ => "token" };
        var authorizationEndpoint = new Option<string?>("--authorization-endpoint") { Description = "Absolute authorization endpoint (instead of --authority)" };
        var tokenEndpoint = new Option<string?>("--token-endpoint") { Description = "Absolute token endpoint (instead of --authority)" };
        var clientId = new Option<string?>("--client-id") { Description = "The client id (required unless the profile has it)" };
        var clientSecret = new Option<string?>("--client-secret") { Description = "The client secret; prefer the environment variable PKCE_CLIENT_SECRET" };
        var clientAuth = new Option<string?>("--client-auth") { Description = "none | basic | post (default: none without a secret, basic with one)" };
        clientAuth.AcceptOnlyFromAmong([.. LoginOptions.Methods.Keys]);
        var scope = new Option<string?>("--scope") { Description = "Space-separated scopes, e.g. \"read_api openid\"" };
        var issuer = new Option<string?>("--issuer") { Description = "The issuer: the callback must carry iss equal to it (RFC 9207); with no endpoints given, they are discovered from its metadata (RFC 8414)" };
        var redirectUri = new Option<string?>("--redirect-uri") { Description = "Loopback redirect URI (default http://127.0.0.1:<free port>/callback)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the callback", DefaultValueFactory = _ => 300 };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Print the URL and open nothing" };
        var store = new Option<string>("--store") { Description = "Where the pending authorization waits: memory | sqlite:PATH | redis:CONNECTION", DefaultValueFactory = _ => "memory" };
        var profile = new Option<string?>("--profile") { Description = "Save the settings (not the client secret) and the tokens under this name instead of printing the token; options not given come from the saved profile" };
        var tokenStore = new Option<string?>("--token-store") { Description = "With --profile: where the tokens are kept, file (default) or secret-service (Linux Secret Service via secret-tool)" };
        tokenStore.AcceptOnlyFromAmong([.. Pkce.Cli.Profile.Vaults]);
        var dpop = new Option<bool>("--dpop") { Description = "With --profile: bind the tokens to a key of the profile (DPoP, RFC 9449), made now and kept beside its tokens; remembered by the profile" };
        var dpopAlg = new Option<string?>("--dpop-alg") { Description = "With --dpop: the key's algorithm, ES256 (default), RS256 or PS256" };
        dpopAlg.AcceptOnlyFromAmong([.. ProfileDpop.Algorithms]);

        var command = new Command("login", "Sign in through the system browser and print the token response JSON on stdout (RFC 8252 loopback flow)")
        {
            authority, authorizePath, tokenPath, authorizationEndpoint, tokenEndpoint, clientId, clientSecret, clientAuth,
            scope, issuer, redirectUri, timeout, noBrowser, store, profile, tokenStore, dpop, dpopAlg,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(tokenStore) is not null && result.GetResult(profile) is null) result.AddError("--token-store needs --profile");
            // A DPoP-bound token is of no use without its key, and a one-off login would print the token and lose the
            // key (printing the private key is no better): only a profile keeps the key.
            if (result.GetValue(dpop) && result.GetResult(profile) is null)
                result.AddError("--dpop needs --profile NAME: a DPoP-bound token is of no use without its key, which only a profile keeps");
            if (result.GetResult(dpopAlg) is not null && !result.GetValue(dpop)) result.AddError("--dpop-alg needs --dpop");
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new LoginOptions
            {
                Authority = result.GetValue(authority),
                AuthorizePath = result.GetValue(authorizePath)!,
                TokenPath = result.GetValue(tokenPath)!,
                Profile = result.GetValue(profile),
                TokenStore = result.GetValue(tokenStore),
                AuthorizationEndpoint = result.GetValue(authorizationEndpoint),
                TokenEndpoint = result.GetValue(tokenEndpoint),
                ClientId = result.GetValue(clientId),
                ClientSecret = result.GetValue(clientSecret) ?? terminal.Variable(ProfileAccess.SecretVariable),
                ClientAuth = result.GetValue(clientAuth),
                Scope = result.GetValue(scope),
                Issuer = result.GetValue(issuer),
                RedirectUri = result.GetValue(redirectUri),
                TimeoutSeconds = result.GetValue(timeout),
                NoBrowser = result.GetValue(noBrowser),
                Store = result.GetValue(store)!,
                Dpop = result.GetValue(dpop),
                DpopAlgorithm = result.GetValue(dpopAlg),
            };
            if (options.Profile is null) return (await LoginCommand.RunAsync(options, terminal, browser, cancellationToken)).ExitCode;
            var outcome = await ProfileLogin.RunAsync(options, terminal, browser, cancellationToken);
            outcome.Dpop.IfSome(key => key.Dispose());
            return outcome.ExitCode;
        });
        return command;
    }

    private static Option<string> ProfileOption(string purpose) => new("--profile") { Description = purpose, Required = true };

    /// <summary>How <c>token</c> and <c>refresh --profile</c> print, and the request a DPoP profile's header is for.</summary>
    private sealed record FormatOptions(Option<bool> AsJson, Option<bool> AsHeader, Option<string?> Method, Option<string?> Url, Option<string?> Nonce)
    {
        public static FormatOptions Make() => new(
            new Option<bool>("--json") { Description = "Print a JSON object: access_token, token_type, expires_in, expires_at, scope (never the refresh token)" },
            new Option<bool>("--header") { Description = "Print 'Authorization: Bearer TOKEN' (for curl -H); for a DPoP profile, with --method and --url, two lines: 'Authorization: DPoP TOKEN' and 'DPoP: PROOF'" },
            new Option<string?>("--method") { Description = "With --header: the HTTP method of the request the DPoP proof is for (ignored for a bearer profile)" },
            new Option<string?>("--url") { Description = "With --header: the URL of the request the DPoP proof is for (ignored for a bearer profile)" },
            new Option<string?>("--dpop-nonce") { Description = "With --url: the resource server's DPoP-Nonce to put in the proof (RFC 9449 §9)" });

        public IEnumerable<Option> All => [AsJson, AsHeader, Method, Url, Nonce];

        public TokenFormat FormatOf(ParseResult result) =>
            result.GetValue(AsJson) ? TokenFormat.Json : result.GetValue(AsHeader) ? TokenFormat.Header : TokenFormat.Plain;

        /// <summary>The request given with --method and --url, if any (the validator has checked them).</summary>
        public ProofRequest? RequestOf(ParseResult result) =>
            result.GetValue(Method) is { } method && result.GetValue(Url) is { } url ? ProofRequest.From(method, url, result.GetValue(Nonce)).Request : null;

        public void Validate(CommandResult result)
        {
            if (result.GetValue(AsJson) && result.GetValue(AsHeader)) result.AddError("--json and --header cannot be used together");
            var (method, url, nonce) = (result.GetResult(Method), result.GetResult(Url), result.GetResult(Nonce));
            if ((method is not null || url is not null) && !result.GetValue(AsHeader)) result.AddError("--method and --url go with --header");
            if ((method is null) != (url is null)) result.AddError("--method and --url go together: a DPoP proof is for one method on one URL");
            if (nonce is not null && url is null) result.AddError("--dpop-nonce goes with --url");
            if (result.GetValue(Method) is { } m && result.GetValue(Url) is { } u)
                foreach (var problem in ProofRequest.From(m, u, result.GetValue(Nonce)).Problems) result.AddError(problem);
        }
    }

    private static Command Token(Terminal terminal, OpenBrowser browser)
    {
        var profile = ProfileOption("The profile saved by pkce login --profile NAME");
        var format = FormatOptions.Make();
        var loginIfNeeded = new Option<bool>("--login-if-needed") { Description = "When no valid token can be had, sign in through the browser instead of failing with exit code 3" };
        var command = new Command("token", "Print a valid access token of a profile on stdout, refreshing it when it is expired or about to be; exit 3 when a login is needed")
        {
            profile, loginIfNeeded,
        };
        foreach (var option in format.All) command.Options.Add(option);
        command.Validators.Add(format.Validate);
        command.SetAction((result, cancellationToken) => TokenCommand.RunAsync(result.GetValue(profile)!, format.FormatOf(result), format.RequestOf(result), force: false,
            result.GetValue(loginIfNeeded), terminal, browser, cancellationToken));
        return command;
    }

    private static Command Refresh(Terminal terminal, OpenBrowser browser)
    {
        var profile = new Option<string?>("--profile") { Description = "Renew this profile's access token now and print it like pkce token" };
        var format = FormatOptions.Make();
        var issuer = new Option<string?>("--issuer") { Description = "One-off: the issuer whose metadata names the token endpoint (RFC 8414)" };
        var tokenEndpoint = new Option<string?>("--token-endpoint") { Description = "One-off: the token endpoint, instead of discovery" };
        var clientId = new Option<string?>("--client-id") { Description = "One-off: the client id" };
        var clientAuth = new Option<string?>("--client-auth") { Description = "One-off: none | basic | post (default: from the metadata, or basic with a secret)" };
        clientAuth.AcceptOnlyFromAmong([.. LoginOptions.Methods.Keys]);
        var scope = new Option<string?>("--scope") { Description = "One-off: ask for a narrower scope (RFC 6749 §6)" };
        var refreshToken = new Option<string?>("--refresh-token") { Description = "One-off: '-' reads the refresh token from stdin; prints the token response JSON" };
        var command = new Command("refresh", "Renew a profile's access token now, or, one-off, redeem a refresh token read from stdin")
        {
            profile, issuer, tokenEndpoint, clientId, clientAuth, scope, refreshToken,
        };
        foreach (var option in format.All) command.Options.Add(option);
        command.Validators.Add(result =>
        {
            var oneOff = new Option[] { issuer, tokenEndpoint, clientId, clientAuth, scope, refreshToken }.Where(o => result.GetResult(o) is not null).ToList();
            if (result.GetResult(profile) is not null && oneOff.Count > 0)
                result.AddError($"--profile cannot be combined with {string.Join(", ", oneOff.Select(o => o.Name))}");
            if (result.GetResult(profile) is null && oneOff.Count == 0) result.AddError("give --profile NAME, or --refresh-token - with --issuer and --client-id");
            format.Validate(result);
        });
        command.SetAction((result, cancellationToken) => result.GetValue(profile) is { } name
            ? TokenCommand.RunAsync(name, format.FormatOf(result), format.RequestOf(result), force: true, loginIfNeeded: false, terminal, browser, cancellationToken)
            : RefreshCommand.RunAsync(new OneOffRefresh(result.GetValue(issuer), result.GetValue(tokenEndpoint), result.GetValue(clientId),
                terminal.Variable(ProfileAccess.SecretVariable), result.GetValue(clientAuth), result.GetValue(scope), result.GetValue(refreshToken)), terminal, cancellationToken));
        return command;
    }

    private static Command Logout(Terminal terminal)
    {
        var profile = ProfileOption("The profile whose tokens to revoke and delete");
        var command = new Command("logout", "Revoke a profile's tokens at the server (RFC 7009) and delete them; succeeds offline with a warning") { profile };
        command.SetAction((result, cancellationToken) => LogoutCommand.RunAsync(result.GetValue(profile)!, terminal, cancellationToken));
        return command;
    }

    private static Command Profiles(Terminal terminal)
    {
        var command = new Command("profiles", "List the saved profiles: issuer, scope, and whether a token is stored and until when (no secrets)");
        command.SetAction((_, cancellationToken) => ProfilesCommand.RunAsync(terminal, cancellationToken));
        return command;
    }

    private static Command Demo(Terminal terminal)
    {
        var command = new Command("demo", "Run the whole flow against an embedded local authorization server; no account, no network");
        command.SetAction((_, cancellationToken) => DemoCommand.RunAsync(terminal, cancellationToken));
        return command;
    }

    /// <summary>Parses and runs a command line, writing to <paramref name="terminal"/>.</summary>
    /// <remarks>
    /// Parse errors exit with <see cref="ExitCodes.InvalidOptions"/>, on stderr only: stdout is for the token.
    /// </remarks>
    public static async Task<int> RunAsync(string[] args, Terminal terminal, OpenBrowser? browser = null, CancellationToken cancellationToken = default)
    {
        var parsed = Build(terminal, browser).Parse(args);
        if (parsed.Errors.Count == 0)
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = terminal.Out, Error = terminal.Error }, cancellationToken);
        foreach (var error in parsed.Errors) terminal.Say("invalid options: " + error.Message);
        terminal.Say("see 'pkce --help'");
        return ExitCodes.InvalidOptions;
    }
}
