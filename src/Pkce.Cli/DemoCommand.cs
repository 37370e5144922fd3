using System.Net;
using System.Net.Sockets;
using Pkce.LocalAuthority;

namespace Pkce.Cli;

/// <summary>
/// <c>pkce demo</c>: starts the local authority in-process on 127.0.0.1, runs <c>pkce login</c>'s code path against
/// it with the public client (following the authorization redirect itself instead of opening a browser), prints the
/// token response on stdout and a summary on stderr, and stops the authority.
/// </summary>
public static class DemoCommand
{
    /// <summary>Runs the demo; the exit code is <c>pkce login</c>'s.</summary>
    public static async Task<int> RunAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        var redirectUri = $"http://127.0.0.1:{FreePort()}/callback";
        terminal.Say("starting the local authorization server on 127.0.0.1");
        LocalAuthority.LocalAuthority started;
        try
        {
            started = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [redirectUri] }, cancellationToken);
        }
        catch (IOException e)
        {
            // NotLoopbackException among them: the server was stopped, and served nothing.
            terminal.Say($"cannot start the local authorization server: {e.Message}");
            return ExitCodes.FlowFailed;
        }
        await using var authority = started;
        terminal.Say($"issuer {authority.Issuer}; client {authority.Public.ClientId} (public, PKCE S256)");
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var options = new LoginOptions
        {
            AuthorizationEndpoint = authority.AuthorizationEndpoint.AbsoluteUri,
            TokenEndpoint = authority.TokenEndpoint.AbsoluteUri,
            ClientId = authority.Public.ClientId,
            Scope = "api offline_access",
            Issuer = authority.Issuer.AbsoluteUri,
            RedirectUri = redirectUri,
            TimeoutSeconds = 30,
        };
        var outcome = await LoginCommand.RunAsync(options, terminal, Browsers.FollowRedirect(browser), cancellationToken);
        outcome.Token.IfSome(token =>
        {
            terminal.Say("steps: secrets (state, S256 challenge) -> authorization URL -> redirect followed -> callback verified (state, iss) -> code exchanged once");
            terminal.Say($"token type {token.TokenType}, expires in {token.ExpiresIn.Map(e => $"{e.TotalSeconds:0} s").IfNone("(not said)")}, " +
                         $"scope {token.Scope.IfNone(options.Scope)}, refresh token {(token.RefreshToken.IsSome ? "yes" : "no")}");
        });
        terminal.Say("stopping the local authorization server");
        return outcome.ExitCode;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
