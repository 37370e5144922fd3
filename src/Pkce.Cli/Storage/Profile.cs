using System.Text.Json;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>
/// What the command remembers of a server after a login, so that a refresh, a revocation and the next login need
/// none of its options again: where the tokens come from, never how to prove who the client is.
/// </summary>
/// <param name="AuthorizationEndpoint">The authorization endpoint used (given or discovered).</param>
/// <param name="TokenEndpoint">The token endpoint: refreshes go here.</param>
/// <param name="RevocationEndpoint">RFC 7009's endpoint, if the server has one: <c>pkce logout</c> tells it.</param>
/// <param name="PushedAuthorizationRequestEndpoint">RFC 9126's endpoint, if the server has one.</param>
/// <param name="ExpectedIssuer">The issuer that the callback's <c>iss</c> must equal, if known.</param>
/// <param name="IssuerAlwaysSent">Whether a callback without <c>iss</c> is refused.</param>
/// <param name="ClientAuth">How the client authenticates: <c>none</c>, <c>basic</c> or <c>post</c>.</param>
public sealed record ProfileServer(
    string AuthorizationEndpoint, string TokenEndpoint, string? RevocationEndpoint, string? PushedAuthorizationRequestEndpoint,
    string? ExpectedIssuer, bool IssuerAlwaysSent, string ClientAuth)
{
    /// <summary>What <paramref name="config"/> resolved to.</summary>
    public static ProfileServer Of(PkceConfig config) => new(
        config.Server.AuthorizationEndpoint.OriginalString, config.Server.TokenEndpoint.OriginalString,
        config.Server.RevocationEndpoint.Map(u => u.OriginalString).IfNoneUnsafe((string?)null),
        config.Server.PushedAuthorizationRequestEndpoint.Map(u => u.OriginalString).IfNoneUnsafe((string?)null),
        config.Server.ExpectedIssuer.IfNoneUnsafe((string?)null), config.Server.IssuerAlwaysSent,
        LoginOptions.Methods.First(m => m.Value == config.Client.Authentication).Key);
}

/// <summary>
/// That a profile binds its tokens to a DPoP key (RFC 9449), and to which: the public part only. The key itself is
/// kept beside the tokens (<see cref="ProfileKeys"/>); a stored key whose algorithm or thumbprint differs from these
/// is not this profile's and is not used.
/// </summary>
/// <param name="Algorithm">The proofs' JWS algorithm: <c>ES256</c>, <c>RS256</c> or <c>PS256</c>.</param>
/// <param name="Thumbprint">The key's RFC 7638 thumbprint: the <c>dpop_jkt</c> sent and the tokens' <c>cnf.jkt</c>.</param>
public sealed record ProfileDpop(string Algorithm, string Thumbprint)
{
    /// <summary>The values of <c>--dpop-alg</c>.</summary>
    public static readonly IReadOnlyList<string> Algorithms = ["ES256", "RS256", "PS256"];

    /// <summary>The algorithm of a new key when <c>--dpop-alg</c> is not given.</summary>
    public const string DefaultAlgorithm = "ES256";

    /// <summary>What <paramref name="key"/> is.</summary>
    public static ProfileDpop Of(DpopKey key) => new(key.Algorithm, key.Thumbprint);
}

/// <summary>
/// A saved profile: the options <c>pkce login --profile NAME</c> was given (the client secret never among them:
/// it stays in <c>PKCE_CLIENT_SECRET</c> or is asked for) and the server they resolved to.
/// </summary>
/// <param name="Name">The profile's name.</param>
/// <param name="Login">The login options as given; <see cref="LoginOptions.ClientSecret"/> is always null.</param>
/// <param name="Server">The endpoints and client authentication they resolved to.</param>
/// <param name="Vault">Where its tokens are kept: <c>file</c> (the default) or <c>secret-service</c>.</param>
/// <param name="Dpop">The DPoP key its tokens are bound to (<c>pkce login --dpop</c>), or null for bearer tokens.</param>
public sealed record Profile(string Name, LoginOptions Login, ProfileServer Server, string Vault = "file", ProfileDpop? Dpop = null)
{
    /// <summary>The name of the default place for tokens: files in the state directory.</summary>
    public const string FileVaultName = "file";

    /// <summary>The values of <c>--token-store</c>.</summary>
    public static readonly IReadOnlyList<string> Vaults = [FileVaultName, SecretServiceVault.StoreName];

    /// <summary>A name is 1 to 64 letters, digits, <c>.</c>, <c>_</c> or <c>-</c>, starting with a letter or digit: it names a file.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern(name);

    private static bool NamePattern(string name)
    {
        if (name.Length is < 1 or > 64 || !char.IsAsciiLetterOrDigit(name[0])) return false;
        foreach (var c in name)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-')) return false;
        return true;
    }

    /// <summary>Whose tokens: the profile's, for its issuer (or token endpoint) and scope.</summary>
    public TokenKey Key => new(UserKey.From(Name).IfLeft(_ => throw new InvalidOperationException("profile names are never empty")),
        Server.ExpectedIssuer ?? Server.TokenEndpoint, Login.Scope ?? "");

    /// <summary>
    /// The library's settings for a refresh or a revocation: the resolved endpoints, with <paramref name="clientSecret"/>
    /// for a confidential client. The redirect URI is only validated, never used, by those requests.
    /// </summary>
    public PkceSettings Settings(string? clientSecret) => new()
    {
        ClientId = Login.ClientId,
        ClientSecret = clientSecret,
        Authentication = LoginOptions.Methods.GetValueOrDefault(Server.ClientAuth),
        RedirectUri = Login.RedirectUri ?? LoginOptions.DefaultRedirectUri,
        Scope = Login.Scope,
        AuthorizationEndpoint = Server.AuthorizationEndpoint,
        TokenEndpoint = Server.TokenEndpoint,
        RevocationEndpoint = Server.RevocationEndpoint,
        PushedAuthorizationRequestEndpoint = Server.PushedAuthorizationRequestEndpoint,
        ExpectedIssuer = Server.ExpectedIssuer,
        IssuerAlwaysSent = Server.IssuerAlwaysSent,
    };

    // Records print every property; Key is derived (and needs a valid name), so only the three parts are printed.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Login = {Login}, Server = {Server}, Vault = {Vault}, Dpop = {Dpop}");
        return true;
    }

    /// <summary>Whether the client authenticates with a secret, which must then be given for a refresh.</summary>
    public bool NeedsSecret => Server.ClientAuth != "none";

    /// <summary>
    /// The profile file's bytes; <paramref name="tokenFile"/> names the file of its tokens in the token store (for
    /// <see cref="QuickToken"/>, which reads it without computing the key).
    /// </summary>
    public byte[] ToJson(string tokenFile)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("name", Name);
            json.WriteString("token_store", Vault);
            json.WriteString("token_file", tokenFile);
            json.WriteStartObject("login");
            Write(json, "issuer", Login.Issuer);
            Write(json, "authority", Login.Authority);
            Write(json, "authorize_path", Login.AuthorizePath);
            Write(json, "token_path", Login.TokenPath);
            Write(json, "authorization_endpoint", Login.AuthorizationEndpoint);
            Write(json, "token_endpoint", Login.TokenEndpoint);
            Write(json, "client_id", Login.ClientId);
            Write(json, "client_auth", Login.ClientAuth);
            Write(json, "scope", Login.Scope);
            Write(json, "redirect_uri", Login.RedirectUri);
            json.WriteEndObject();
            json.WriteStartObject("server");
            Write(json, "authorization_endpoint", Server.AuthorizationEndpoint);
            Write(json, "token_endpoint", Server.TokenEndpoint);
            Write(json, "revocation_endpoint", Server.RevocationEndpoint);
            Write(json, "pushed_authorization_request_endpoint", Server.PushedAuthorizationRequestEndpoint);
            Write(json, "issuer", Server.ExpectedIssuer);
            json.WriteBoolean("issuer_always_sent", Server.IssuerAlwaysSent);
            Write(json, "client_auth", Server.ClientAuth);
            json.WriteEndObject();
            // QuickToken steps aside for any value but null here: a DPoP profile's header needs a proof.
            if (Dpop is null) json.WriteNull("dpop");
            else
            {
                json.WriteStartObject("dpop");
                json.WriteString("alg", Dpop.Algorithm);
                json.WriteString("jkt", Dpop.Thumbprint);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The profile in <paramref name="content"/>, or why it cannot be read.</summary>
    public static Either<string, Profile> FromJson(ReadOnlyMemory<byte> content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            var login = root.GetProperty("login");
            var server = root.GetProperty("server");
            string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            string Required(JsonElement e, string name) => Text(e, name) ?? throw new FormatException($"'{name}' is missing");
            return new Profile(Required(root, "name"),
                new LoginOptions
                {
                    Issuer = Text(login, "issuer"), Authority = Text(login, "authority"),
                    AuthorizePath = Text(login, "authorize_path") ?? "authorize", TokenPath = Text(login, "token_path") ?? "token",
                    AuthorizationEndpoint = Text(login, "authorization_endpoint"), TokenEndpoint = Text(login, "token_endpoint"),
                    ClientId = Required(login, "client_id"), ClientAuth = Text(login, "client_auth"), Scope = Text(login, "scope"),
                    RedirectUri = Text(login, "redirect_uri"),
                },
                new ProfileServer(Required(server, "authorization_endpoint"), Required(server, "token_endpoint"), Text(server, "revocation_endpoint"),
                    Text(server, "pushed_authorization_request_endpoint"), Text(server, "issuer"),
                    server.TryGetProperty("issuer_always_sent", out var always) && always.ValueKind == JsonValueKind.True,
                    Required(server, "client_auth")),
                Text(root, "token_store") ?? FileVaultName,
                root.TryGetProperty("dpop", out var dpop) && dpop.ValueKind == JsonValueKind.Object
                    ? new ProfileDpop(Required(dpop, "alg"), Required(dpop, "jkt")) : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return $"not a profile this command wrote: {e.Message}";
        }
    }

    private static void Write(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null) json.WriteNull(name);
        else json.WriteString(name, value);
    }
}
