using System.Text.Json;

namespace Pkce.Integration.OidcProvider;

/// <summary>
/// What the tests read from oidc-provider's discovery document (RFC 8414 members, fetched by the fixture with a
/// plain <see cref="HttpClient"/>: discovery is not the library's job here). <see cref="Issuer"/> is kept as
/// the string the server wrote, because RFC 9207 compares <c>iss</c> with it character for character.
/// </summary>
public sealed record ProviderMetadata(
    string Issuer,
    Uri AuthorizationEndpoint,
    Uri TokenEndpoint,
    Uri PushedAuthorizationRequestEndpoint,
    Uri IntrospectionEndpoint,
    Uri RevocationEndpoint,
    bool IssParameterSupported,
    IReadOnlyList<string> CodeChallengeMethods)
{
    public static ProviderMetadata Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string Text(string name) => root.GetProperty(name).GetString() ?? throw new InvalidDataException($"discovery: {name} is null");
        Uri Endpoint(string name) => new(Text(name), UriKind.Absolute);
        return new ProviderMetadata(
            Text("issuer"),
            Endpoint("authorization_endpoint"),
            Endpoint("token_endpoint"),
            Endpoint("pushed_authorization_request_endpoint"),
            Endpoint("introspection_endpoint"),
            Endpoint("revocation_endpoint"),
            root.TryGetProperty("authorization_response_iss_parameter_supported", out var iss) && iss.GetBoolean(),
            [.. root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(m => m.GetString()!)]);
    }
}
