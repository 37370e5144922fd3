using System.CommandLine;

namespace Pkce.Cli;

/// <summary>The command line: <c>pkce login</c> and <c>pkce demo</c>.</summary>
public static class Commands
{
    /// <summary>Builds the root command; <paramref name="browser"/> replaces the system browser (tests, demo).</summary>
    public static RootCommand Build(Terminal terminal, OpenBrowser? browser = null)
    {
        var root = new RootCommand("Obtain OAuth 2.0 access tokens with the authorization code flow and PKCE (RFC 7636).");
        root.Subcommands.Add(Login(terminal, browser ?? Browsers.System));
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
        var clientId = new Option<string?>("--client-id") { Description = "The client id", Required = true };
        var clientSecret = new Option<string?>("--client-secret") { Description = "The client secret; prefer the environment variable PKCE_CLIENT_SECRET" };
        var clientAuth = new Option<string?>("--client-auth") { Description = "none | basic | post (default: none without a secret, basic with one)" };
        clientAuth.AcceptOnlyFromAmong([.. LoginOptions.Methods.Keys]);
        var scope = new Option<string?>("--scope") { Description = "Space-separated scopes, e.g. \"read_api openid\"" };
        var issuer = new Option<string?>("--issuer") { Description = "Expected issuer: the callback must carry iss equal to it (RFC 9207); a callback without iss is refused" };
        var redirectUri = new Option<string?>("--redirect-uri") { Description = "Loopback redirect URI (default http://127.0.0.1:<free port>/callback)" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the callback", DefaultValueFactory = _ => 300 };
        var noBrowser = new Option<bool>("--no-browser") { Description = "Print the URL and open nothing" };
        var store = new Option<string>("--store") { Description = "Where the pending authorization waits: memory | sqlite:PATH | redis:CONNECTION", DefaultValueFactory = _ => "memory" };

        var command = new Command("login", "Sign in through the system browser and print the token response JSON on stdout (RFC 8252 loopback flow)")
        {
            authority, authorizePath, tokenPath, authorizationEndpoint, tokenEndpoint, clientId, clientSecret, clientAuth,
            scope, issuer, redirectUri, timeout, noBrowser, store,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new LoginOptions
            {
                Authority = result.GetValue(authority),
                AuthorizePath = result.GetValue(authorizePath)!,
                TokenPath = result.GetValue(tokenPath)!,
                AuthorizationEndpoint = result.GetValue(authorizationEndpoint),
                TokenEndpoint = result.GetValue(tokenEndpoint),
                ClientId = result.GetValue(clientId),
                ClientSecret = result.GetValue(clientSecret) ?? Environment.GetEnvironmentVariable("PKCE_CLIENT_SECRET"),
                ClientAuth = result.GetValue(clientAuth),
                Scope = result.GetValue(scope),
                Issuer = result.GetValue(issuer),
                RedirectUri = result.GetValue(redirectUri),
                TimeoutSeconds = result.GetValue(timeout),
                NoBrowser = result.GetValue(noBrowser),
                Store = result.GetValue(store)!,
            };
            return (await LoginCommand.RunAsync(options, terminal, browser, cancellationToken)).ExitCode;
        });
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
