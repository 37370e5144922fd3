using System.Text;

namespace Pkce;

/// <summary>
/// Raw, unvalidated settings as a user writes them (the seed's class attributes). <see cref="Config.Validate"/>
/// turns them into a <see cref="PkceConfig"/> or lists every problem. Endpoints are either given outright or
/// built from <see cref="RootUrl"/> and the two relative paths, like the seed's <c>root_url</c>.
/// </summary>
public sealed record PkceSettings
{
    /// <summary>Default lifetime of a pending authorization.</summary>
    public static readonly TimeSpan DefaultPendingLifetime = TimeSpan.FromMinutes(10);

    /// <summary>Default token endpoint timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The client identifier (seed: <c>client_id</c>). Required.</summary>
    public string? ClientId { get; init; }

    /// <summary>The client password (seed: <c>client_secret</c>); absent for a public client.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>How to authenticate; when unset, <c>None</c> without a secret and <c>ClientSecretBasic</c> with one.</summary>
    public ClientAuthentication? Authentication { get; init; }

    /// <summary>The redirect URI registered with the server (seed: <c>redirect_uri</c>). Required.</summary>
    public string? RedirectUri { get; init; }

    /// <summary>Space-delimited scopes (seed: <c>scope</c>).</summary>
    public string? Scope { get; init; }

    /// <summary>The base URL the two paths are resolved against (seed: <c>root_url</c>).</summary>
    public string? RootUrl { get; init; }

    /// <summary>Authorization endpoint path relative to <see cref="RootUrl"/>.</summary>
    public string AuthorizationPath { get; init; } = "authorize";

    /// <summary>Token endpoint path relative to <see cref="RootUrl"/>.</summary>
    public string TokenPath { get; init; } = "token";

    /// <summary>Absolute authorization endpoint; overrides <see cref="RootUrl"/> + <see cref="AuthorizationPath"/>.</summary>
    public string? AuthorizationEndpoint { get; init; }

    /// <summary>Absolute token endpoint; overrides <see cref="RootUrl"/> + <see cref="TokenPath"/>.</summary>
    public string? TokenEndpoint { get; init; }

    /// <summary>
    /// RFC 9126: the pushed authorization request endpoint. When set (or discovered), authorization parameters are
    /// pushed there and the user is sent to a URL holding only <c>client_id</c> and <c>request_uri</c>, unless
    /// <see cref="UsePushedAuthorizationRequests"/> is false.
    /// </summary>
    public string? PushedAuthorizationRequestEndpoint { get; init; }

    /// <summary>Whether to push authorization requests when an endpoint for them is known (default true).</summary>
    public bool UsePushedAuthorizationRequests { get; init; } = true;

    /// <summary>
    /// RFC 9126 §5 <c>require_pushed_authorization_requests</c>: the server accepts only pushed requests, so a plain
    /// authorization request is never sent and a failed push is an error.
    /// </summary>
    public bool RequirePushedAuthorizationRequests { get; init; }

    /// <summary>RFC 7009: the token revocation endpoint.</summary>
    public string? RevocationEndpoint { get; init; }

    /// <summary>The server's issuer identifier for RFC 9207 <c>iss</c> checks.</summary>
    public string? ExpectedIssuer { get; init; }

    /// <summary>The server always sends <c>iss</c> (RFC 9207 §3); a callback without it is then rejected.</summary>
    public bool IssuerAlwaysSent { get; init; }

    /// <summary>Token endpoint timeout.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Lifetime of a pending authorization.</summary>
    public TimeSpan PendingLifetime { get; init; } = DefaultPendingLifetime;

    // Records print every property; the secret must not be one of them.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "" : Redaction.Mark)}, ");
        builder.Append($"Authentication = {Authentication}, RedirectUri = {RedirectUri}, Scope = {Scope}, ");
        builder.Append($"RootUrl = {RootUrl}, AuthorizationEndpoint = {AuthorizationEndpoint}, TokenEndpoint = {TokenEndpoint}, ");
        builder.Append($"PushedAuthorizationRequestEndpoint = {PushedAuthorizationRequestEndpoint}, UsePushedAuthorizationRequests = {UsePushedAuthorizationRequests}, ");
        builder.Append($"RequirePushedAuthorizationRequests = {RequirePushedAuthorizationRequests}, RevocationEndpoint = {RevocationEndpoint}, ");
        builder.Append($"ExpectedIssuer = {ExpectedIssuer}, IssuerAlwaysSent = {IssuerAlwaysSent}");
        return true;
    }
}
