using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

public class MetadataProperties
{
    private const string Issuer = "https://as.example/tenant";

    private static Either<PkceError, ServerMetadata> Parse(string body, int status = 200) =>
        MetadataParser.Parse(new HttpAnswer(MetadataParser.EndpointName, status, Some("application/json"), Encoding.UTF8.GetBytes(body)), Issuer);

    private static string Document(string extra = "") =>
        $$"""{"issuer":"{{Issuer}}","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t"{{extra}}}""";

    [Fact]
    public void AMinimalDocumentTakesTheDefaults()
    {
        var metadata = Support.Right(Parse(Document()));
        Assert.Equal((Issuer, "https://as.example/t"), (metadata.Issuer, metadata.TokenEndpoint.AbsoluteUri));
        Assert.Equal(Seq1("client_secret_basic"), metadata.TokenEndpointAuthMethods);
        Assert.False(metadata.IssuerInAuthorizationResponse);
        Assert.True(metadata.PushedAuthorizationRequestEndpoint.IsNone && metadata.CodeChallengeMethods.IsNone);
    }

    [Theory]
    [InlineData(",\"issuer\":1", "'issuer' is a Number")]
    [InlineData(",\"code_challenge_methods_supported\":[\"plain\"]", "does not list S256")]
    [InlineData(",\"code_challenge_methods_supported\":\"S256\"", "is not an array")]
    [InlineData(",\"pushed_authorization_request_endpoint\":\"http://as.example/par\"", "uses http for an https issuer")]
    [InlineData(",\"revocation_endpoint\":\"/revoke\"", "is not an absolute http(s) URL")]
    [InlineData(",\"require_pushed_authorization_requests\":true", "requires pushed authorization requests but names no endpoint")]
    [InlineData(",\"authorization_response_iss_parameter_supported\":\"yes\"", "is not a boolean")]
    public void FlawedDocumentsAreRefusedWithTheirReason(string extra, string reason)
    {
        var body = extra.StartsWith(",\"issuer\"") ? $$"""{"issuer":1}""" : Document(extra);
        var error = Assert.IsType<PkceError.InvalidMetadata>(Support.Left(Parse(body)));
        Assert.Contains(reason, error.Message);
    }

    [Theory] // found by fuzzing (tests/Pkce.Fuzz/crashes/metadata): JsonDocument's duplicate check threw on the name
    [InlineData(",\"token_en\\udc00dpoint\":\"https://as.example/t\"")]
    [InlineData(",\"x\":[\"\\ud800\"]")]
    public void ALoneSurrogateEscapeAnywhereIsAnUnexpectedAnswerNotAnException(string extra) =>
        Assert.Contains("not valid Unicode", Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Parse(Document(extra)))).Reason);

    [Property]
    public Property AnyOtherIssuerIsRefused() =>
        Prop.ForAll(Arbitraries.Chars.WellFormedText.Where(t => t != Issuer).ToArbitrary(), issuer =>
            Support.Left(Parse($$"""{"issuer":{{System.Text.Json.JsonSerializer.Serialize(issuer)}},"authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t"}""")) is PkceError.InvalidMetadata);

    [Property]
    public Property StructuredBodiesNeverThrow() =>
        Prop.ForAll(Arbitraries.JsonBodies.Bodies.ToArbitrary(), Arbitraries.JsonBodies.Statuses.ToArbitrary(), (body, status) =>
            MetadataParser.Parse(new HttpAnswer(MetadataParser.EndpointName, status, None, body), Issuer).Match(_ => true, e => e is not null));

    [Theory]
    [InlineData("https://as.example", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration")]
    [InlineData("https://as.example/", "https://as.example/.well-known/oauth-authorization-server", "https://as.example/.well-known/openid-configuration")]
    [InlineData("https://as.example/tenant/x", "https://as.example/.well-known/oauth-authorization-server/tenant/x", "https://as.example/tenant/x/.well-known/openid-configuration")]
    [InlineData("http://127.0.0.1:5000/t/", "http://127.0.0.1:5000/.well-known/oauth-authorization-server/t", "http://127.0.0.1:5000/t/.well-known/openid-configuration")]
    public void WellKnownLocationsFollowRfc8414ThenOpenIdConnect(string issuer, string first, string second) =>
        Assert.Equal(Seq(first, second), Support.Right(Discovery.Locations(issuer)).Map(u => u.AbsoluteUri));
}
