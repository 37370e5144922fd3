using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Validates raw <see cref="PkceSettings"/>, reporting every problem at once.</summary>
public static class Config
{
    /// <summary>
    /// Checks every setting and returns a <see cref="PkceConfig"/>, or one
    /// <see cref="PkceError.InvalidConfiguration"/> listing all problems found (not just the first).
    /// </summary>
    public static Either<PkceError, PkceConfig> Validate(PkceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var authentication = settings.Authentication
            ?? (string.IsNullOrEmpty(settings.ClientSecret) ? ClientAuthentication.None : ClientAuthentication.ClientSecretBasic);
        var client =
            (ClientIdOf(settings.ClientId),
             SecretOf(settings.ClientSecret, authentication),
             RedirectUriOf(settings.RedirectUri),
             ScopeOf(settings.Scope))
            .Apply((id, secret, redirect, scope) => new ClientConfig(id, secret, authentication, redirect, scope));
        var server =
            (EndpointOf("authorization endpoint", settings.AuthorizationEndpoint, settings.RootUrl, settings.AuthorizationPath).Bind(OwnQueryOf),
             EndpointOf("token endpoint", settings.TokenEndpoint, settings.RootUrl, settings.TokenPath),
             IssuerOf(settings.ExpectedIssuer, settings.IssuerAlwaysSent),
             ParOf(settings),
             OptionalEndpoint("revocation endpoint", settings.RevocationEndpoint))
            .Apply((authorize, token, issuer, par, revocation) => new ServerConfig(authorize, token, issuer, settings.IssuerAlwaysSent,
                par, settings.RequirePushedAuthorizationRequests, revocation));
        return (client, server, Positive("timeout", settings.Timeout), Positive("pending lifetime", settings.PendingLifetime))
            .Apply((c, s, timeout, lifetime) => new PkceConfig(c, s, timeout, lifetime))
            .ToEither()
            .MapLeft(problems => (PkceError)new PkceError.InvalidConfiguration(problems));
    }

    /// <summary>RFC 6749 Appendix A.1: <c>client-id = *VSCHAR</c>; an empty id identifies no one.</summary>
    private static Validation<string, string> ClientIdOf(string? id) =>
        string.IsNullOrEmpty(id) ? Fail<string, string>("client id is missing")
        : !id.All(Rules.IsVsChar) ? Fail<string, string>("client id contains a character outside VSCHAR (%x20-7E)")
        : Success<string, string>(id);

    private static Validation<string, Option<ClientSecret>> SecretOf(string? secret, ClientAuthentication authentication) =>
        (authentication, string.IsNullOrEmpty(secret)) switch
        {
            (ClientAuthentication.None, true) => Success<string, Option<ClientSecret>>(None),
            (ClientAuthentication.None, false) => Fail<string, Option<ClientSecret>>(
                "a client secret is set but client authentication is 'none'"),
            (_, true) => Fail<string, Option<ClientSecret>>($"client authentication {authentication} needs a client secret"),
            (_, false) => Success<string, Option<ClientSecret>>(Some(new ClientSecret(secret!))),
        };

    /// <summary>
    /// RFC 6749 §3.1.2: "The redirection endpoint URI MUST be an absolute URI ... MUST NOT include a fragment
    /// component." §3.1.2.1: the redirect endpoint "SHOULD require the use of TLS" when the response carries a code;
    /// plain http is accepted only on a loopback host (RFC 8252 §7.3), where the code never crosses a network.
    /// Other schemes (RFC 8252 §7.1 private-use schemes of native apps) are the application's own.
    /// </summary>
    private static Validation<string, Uri> RedirectUriOf(string? value) =>
        string.IsNullOrWhiteSpace(value) ? Fail<string, Uri>("redirect URI is missing")
        : !Uri.TryCreate(value, UriKind.Absolute, out var uri) || !HasExplicitScheme(value, uri)
            ? Fail<string, Uri>($"redirect URI '{value}' is not an absolute URI")
        : value.Contains('#') ? Fail<string, Uri>($"redirect URI '{value}' has a fragment")
        : uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback
            ? Fail<string, Uri>($"redirect URI '{value}' uses http on a non-loopback host; use https (RFC 6749 §3.1.2.1)")
        : Success<string, Uri>(uri);

    // On Unix, Uri reads "/callback" as the absolute file:///callback; a redirect URI must name its scheme.
    internal static bool HasExplicitScheme(string value, Uri uri) => value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// RFC 6749 §3.3: <c>scope-token = 1*( %x21 / %x23-5B / %x5D-7E )</c>, tokens separated by spaces.
    /// Tolerated: runs of spaces and leading or trailing spaces, which are collapsed.
    /// </summary>
    private static Validation<string, Option<string>> ScopeOf(string? scope)
    {
        var tokens = (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var bad = tokens.Where(t => !t.All(IsScopeChar)).ToArray();
        return bad.Length > 0
            ? Fail<string, Option<string>>($"scope token(s) {string.Join(", ", bad.Select(b => $"'{b}'"))} contain characters outside RFC 6749 §3.3 (%x21 / %x23-5B / %x5D-7E)")
            : Success<string, Option<string>>(tokens.Length == 0 ? None : Some(string.Join(' ', tokens)));
    }

    private static bool IsScopeChar(char c) => c is '\x21' or >= '\x23' and <= '\x5B' or >= '\x5D' and <= '\x7E';

    /// <summary>
    /// RFC 6749 §3.1 and §3.2 require TLS for both endpoints; plain http is accepted only on loopback, where it
    /// never leaves the machine (RFC 8252 §8.3). "The endpoint URI MUST NOT include a fragment component."
    /// </summary>
    private static Validation<string, Uri> EndpointOf(string name, string? absolute, string? root, string path)
    {
        if (!string.IsNullOrWhiteSpace(absolute)) return SecureAbsolute(name, absolute);
        if (string.IsNullOrWhiteSpace(root)) return Fail<string, Uri>($"{name} is missing (set it, or set the root URL)");
        return SecureAbsolute("root URL", root).Bind(baseUri =>
            Uri.TryCreate(WithTrailingSlash(baseUri), path, out var resolved) && !Uri.IsWellFormedUriString(path, UriKind.Absolute)
                ? IsUnder(WithTrailingSlash(baseUri), resolved)
                    ? SecureAbsolute(name, resolved.OriginalString)
                    : Fail<string, Uri>($"{name} path '{path}' resolves to '{resolved}', outside the root URL '{baseUri}'")
                : Fail<string, Uri>($"{name} path '{path}' is not a relative path"));
    }

    /// <summary>
    /// A path like <c>//evil.example/token</c> (a network-path reference, RFC 3986 §4.2) or <c>../../x</c> resolves
    /// to another host or above the root: the endpoint must keep the root's scheme, host and port and stay under its path.
    /// </summary>
    private static bool IsUnder(Uri root, Uri resolved) =>
        Uri.Compare(root, resolved, UriComponents.SchemeAndServer | UriComponents.UserInfo, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0
        && resolved.AbsolutePath.StartsWith(root.AbsolutePath, StringComparison.Ordinal);

    /// <summary>
    /// RFC 6749 §3.1 keeps the authorization endpoint's own query, but no parameter may appear twice: a query naming
    /// one the library sets (<c>client_id</c>, <c>state</c>, <c>request_uri</c>, ...) would send it twice.
    /// </summary>
    private static Validation<string, Uri> OwnQueryOf(Uri endpoint)
    {
        var clashes = QueryString.Parse(endpoint.Query).Map(p => p.Name).Filter(WireNames.ReservedAuthorizationParameters.Contains).Distinct().ToArray();
        return clashes.Length == 0
            ? Success<string, Uri>(endpoint)
            : Fail<string, Uri>($"authorization endpoint's query names {string.Join(", ", clashes.Select(c => $"'{ServerText.Printable(c)}'"))}, which the library sets");
    }

    private static Validation<string, Option<Uri>> OptionalEndpoint(string name, string? value) =>
        string.IsNullOrWhiteSpace(value) ? Success<string, Option<Uri>>(None) : SecureAbsolute(name, value).Map(Some);

    /// <summary>
    /// RFC 9126 §5: a server that requires pushed requests needs an endpoint to push them to, and the client must
    /// use it. The endpoint is dropped when pushing is turned off (and not required).
    /// </summary>
    private static Validation<string, Option<Uri>> ParOf(PkceSettings settings) =>
        OptionalEndpoint("pushed authorization request endpoint", settings.PushedAuthorizationRequestEndpoint).Bind(endpoint =>
            settings.RequirePushedAuthorizationRequests && endpoint.IsNone
                ? Fail<string, Option<Uri>>("pushed authorization requests are required but no endpoint for them is set")
            : settings.RequirePushedAuthorizationRequests && !settings.UsePushedAuthorizationRequests
                ? Fail<string, Option<Uri>>("pushed authorization requests are required by the server but turned off")
            : Success<string, Option<Uri>>(settings.UsePushedAuthorizationRequests ? endpoint : None));

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new UriBuilder(uri) { Path = uri.AbsolutePath + "/" }.Uri;

    private static Validation<string, Uri> SecureAbsolute(string name, string value) =>
        !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            ? Fail<string, Uri>($"{name} '{value}' is not an absolute http(s) URL")
        : uri.Scheme == "http" && !uri.IsLoopback ? Fail<string, Uri>($"{name} '{value}' uses http on a non-loopback host; use https")
        : value.Contains('#') ? Fail<string, Uri>($"{name} '{value}' has a fragment")
        : Success<string, Uri>(uri);

    /// <summary>
    /// RFC 9207 §2 compares <c>iss</c> with the issuer identifier by simple string comparison; RFC 8414 §2 makes
    /// that an https URL with no query or fragment.
    /// </summary>
    private static Validation<string, Option<string>> IssuerOf(string? issuer, bool alwaysSent) =>
        string.IsNullOrEmpty(issuer)
            ? alwaysSent
                ? Fail<string, Option<string>>("the issuer is said to always send iss, but no expected issuer is set")
                : Success<string, Option<string>>(None)
            : SecureAbsolute("issuer", issuer).Bind(uri =>
                uri.Query.Length > 0
                    ? Fail<string, Option<string>>($"issuer '{issuer}' has a query")
                    : Success<string, Option<string>>(Some(issuer)));

    private static Validation<string, TimeSpan> Positive(string name, TimeSpan value) =>
        value > TimeSpan.Zero ? Success<string, TimeSpan>(value) : Fail<string, TimeSpan>($"{name} must be positive, not {value}");
}
