using LanguageExt;

namespace Pkce;

/// <summary>The authorization server, validated. Built by <see cref="Config.Validate"/>.</summary>
/// <param name="AuthorizationEndpoint">RFC 6749 §3.1; may carry a query of its own, which is kept.</param>
/// <param name="TokenEndpoint">RFC 6749 §3.2.</param>
/// <param name="ExpectedIssuer">RFC 9207: the issuer identifier the callback's <c>iss</c> must equal.</param>
/// <param name="IssuerAlwaysSent">
/// RFC 9207 §3 <c>authorization_response_iss_parameter_supported</c>: when true a callback without <c>iss</c>
/// is rejected.
/// </param>
/// <param name="PushedAuthorizationRequestEndpoint">RFC 9126: where authorization parameters are pushed, when they are.</param>
/// <param name="RequirePushedAuthorizationRequests">RFC 9126 §5: never fall back to a plain authorization request.</param>
/// <param name="RevocationEndpoint">RFC 7009 §2, if known.</param>
public sealed record ServerConfig(
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    Option<string> ExpectedIssuer,
    bool IssuerAlwaysSent,
    Option<Uri> PushedAuthorizationRequestEndpoint,
    bool RequirePushedAuthorizationRequests,
    Option<Uri> RevocationEndpoint);
