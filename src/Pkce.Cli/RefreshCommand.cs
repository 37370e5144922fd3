using Pkce.Http;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>The options of a one-off <c>pkce refresh</c> (no profile): the server, the client, and the refresh token from stdin.</summary>
/// <param name="Issuer">The issuer whose metadata gives the token endpoint (RFC 8414), unless <paramref name="TokenEndpoint"/> is given.</param>
/// <param name="TokenEndpoint">The token endpoint given outright.</param>
/// <param name="ClientId">The client id.</param>
/// <param name="ClientSecret">The client secret (from <c>PKCE_CLIENT_SECRET</c>), for a confidential client.</param>
/// <param name="ClientAuth"><c>none</c>, <c>basic</c> or <c>post</c>; from the metadata or the secret when unset.</param>
/// <param name="Scope">A narrower scope to ask for (RFC 6749 §6), if any.</param>
/// <param name="RefreshTokenPath">Where the refresh token is read from: only <c>-</c> (stdin), so it is in no shell history or process list.</param>
public sealed record OneOffRefresh(string? Issuer, string? TokenEndpoint, string? ClientId, string? ClientSecret, string? ClientAuth, string? Scope, string? RefreshTokenPath)
{
    // Records print every property; the secret must not be one of them.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Issuer = {Issuer}, TokenEndpoint = {TokenEndpoint}, ClientId = {ClientId}, ");
        builder.Append($"ClientSecret = {(ClientSecret is null ? "" : Redaction.Mark)}, ClientAuth = {ClientAuth}, Scope = {Scope}, RefreshTokenPath = {RefreshTokenPath}");
        return true;
    }
}

/// <summary>
/// <c>pkce refresh</c>: with <c>--profile</c>, renews the profile's access token now (one refresh however many
/// processes ask at once) and prints it like <c>pkce token</c>; without, the one-off RFC 6749 §6 refresh grant of a
/// refresh token read from stdin, printing the token response JSON (with the new refresh token, if the server rotated it).
/// </summary>
public static class RefreshCommand
{
    /// <summary>The longest refresh token read from stdin.</summary>
    public const int MaxRefreshTokenLength = 16 * 1024;

    /// <summary>Runs the one-off refresh.</summary>
    public static async Task<int> RunAsync(OneOffRefresh options, Terminal terminal, CancellationToken cancellationToken)
    {
        if (options.RefreshTokenPath != "-")
            return Usage(terminal, "--refresh-token takes only '-' (read the refresh token from stdin), or use --profile NAME");
        if (options.Issuer is null && options.TokenEndpoint is null)
            return Usage(terminal, "give --issuer URL (the token endpoint is discovered) or --token-endpoint URL, or use --profile NAME");
        if (options.ClientAuth is not null && !LoginOptions.Methods.ContainsKey(options.ClientAuth))
            return Usage(terminal, $"--client-auth '{options.ClientAuth}' is not one of {string.Join(", ", LoginOptions.Methods.Keys)}");
        // At most MaxRefreshTokenLength characters are read: no refresh token comes near it, and a huge stdin is refused unread.
        var buffer = new char[MaxRefreshTokenLength + 1];
        var read = await terminal.In.ReadBlockAsync(buffer.AsMemory(), cancellationToken);
        if (read > MaxRefreshTokenLength) return Usage(terminal, $"the refresh token on stdin is longer than {MaxRefreshTokenLength} characters");
        var refreshToken = new string(buffer, 0, read).Split('\n')[0].Trim();
        if (string.IsNullOrEmpty(refreshToken)) return Usage(terminal, "no refresh token on stdin");

        var settings = new PkceSettings
        {
            ClientId = options.ClientId,
            ClientSecret = options.ClientSecret,
            Authentication = options.ClientAuth is null ? null : LoginOptions.Methods[options.ClientAuth],
            // Validated, never used, by a refresh.
            RedirectUri = LoginOptions.DefaultRedirectUri,
            TokenEndpoint = options.TokenEndpoint,
            // The authorization endpoint is not used either; without discovery it only has to be valid.
            AuthorizationEndpoint = options.TokenEndpoint,
            ExpectedIssuer = options.Issuer,
        };
        using var http = HttpPort.Create();
        var deps = Dependencies.System(http);
        var config = options.TokenEndpoint is null
            ? await DiscoveredConfig.Discover(settings, new MetadataCache(http, deps.Clock, TimeSpan.FromMinutes(5), settings.Timeout), options.Issuer!, cancellationToken).ToEither()
            : Config.Validate(settings);
        if (config.Case is PkceError.InvalidConfiguration invalid) return Usage(terminal, string.Join("; ", invalid.Problems));
        if (config.Case is PkceError.InvalidValue { Kind: "issuer" } badIssuer) return Usage(terminal, badIssuer.Message);
        var answer = await config.ToAsync()
            .Bind(c => RefreshRequest.Send(c, http, refreshToken, Optional(options.Scope), cancellationToken)).ToEither();
        return answer.Match(
            response =>
            {
                terminal.Out.WriteLine(TokenJson.Printable(response));
                return ExitCodes.Success;
            },
            error =>
            {
                terminal.Say($"{error.Code}: {error.Message}");
                return error is PkceError.EndpointError { Error: "invalid_grant" } ? ExitCodes.LoginRequired : ExitCodes.FlowFailed;
            });
    }

    private static int Usage(Terminal terminal, string problem)
    {
        terminal.Say("invalid options: " + problem);
        return ExitCodes.InvalidOptions;
    }
}
