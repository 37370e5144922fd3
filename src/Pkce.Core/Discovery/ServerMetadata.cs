using LanguageExt;

namespace Pkce;

/// <summary>
/// What an authorization server says about itself (RFC 8414 §2; OpenID Connect Discovery 1.0 §3), checked by
/// <see cref="MetadataParser.Parse"/>: the issuer is the one asked for, every endpoint is an absolute https URL
/// (http on loopback only), and S256 is supported if methods are listed at all.
/// </summary>
/// <param name="Issuer">RFC 8414 §2 <c>issuer</c>, identical to the issuer identifier asked for.</param>
/// <param name="AuthorizationEndpoint"><c>authorization_endpoint</c>.</param>
/// <param name="TokenEndpoint"><c>token_endpoint</c>.</param>
/// <param name="PushedAuthorizationRequestEndpoint">RFC 9126 §5 <c>pushed_authorization_request_endpoint</c>.</param>
/// <param name="RequirePushedAuthorizationRequests">RFC 9126 §5 <c>require_pushed_authorization_requests</c> (default false).</param>
/// <param name="RevocationEndpoint">RFC 8414 §2 / RFC 7009 <c>revocation_endpoint</c>.</param>
/// <param name="IntrospectionEndpoint">RFC 8414 §2 / RFC 7662 <c>introspection_endpoint</c>.</param>
/// <param name="CodeChallengeMethods"><c>code_challenge_methods_supported</c>, if listed.</param>
/// <param name="IssuerInAuthorizationResponse">RFC 9207 §3 <c>authorization_response_iss_parameter_supported</c> (default false).</param>
/// <param name="TokenEndpointAuthMethods"><c>token_endpoint_auth_methods_supported</c>; RFC 8414 §2: "If omitted, the default is client_secret_basic".</param>
/// <param name="DpopSigningAlgorithms">RFC 9449 §5.1 <c>dpop_signing_alg_values_supported</c>, if listed.</param>
public sealed record ServerMetadata(
    string Issuer,
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    Option<Uri> PushedAuthorizationRequestEndpoint,
    bool RequirePushedAuthorizationRequests,
    Option<Uri> RevocationEndpoint,
    Option<Uri> IntrospectionEndpoint,
    Option<Seq<string>> CodeChallengeMethods,
    bool IssuerInAuthorizationResponse,
    Seq<string> TokenEndpointAuthMethods,
    Option<Seq<string>> DpopSigningAlgorithms);
