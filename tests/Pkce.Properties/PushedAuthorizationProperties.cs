using System.Text;
using Pkce.Http;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class PushedAuthorizationProperties
{
    private static Either<PkceError, PushedAuthorization> Parse(byte[] body, int status = 201, string? contentType = "application/json") =>
        PushedAuthorizationRequest.Parse(new HttpAnswer(PushedAuthorizationRequest.EndpointName, status, Optional(contentType), body));

    [Property(MaxTest = 2000)]
    public Property StructuredJsonBodiesNeverThrow() =>
        Prop.ForAll(JsonBodies.Bodies.ToArbitrary(), JsonBodies.Statuses.ToArbitrary(), (body, status) =>
            Parse(body, status).Match(pushed => pushed.RequestUri.Length > 0 && pushed.ExpiresIn > TimeSpan.Zero, error => error is not null));

    [Fact]
    public void TheExampleAnswerOfRfc9126IsRead() =>
        Assert.Equal(new PushedAuthorization("urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c", TimeSpan.FromSeconds(60)),
            Support.Right(Parse("""{"request_uri": "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c", "expires_in": 60}"""u8.ToArray())));

    [Theory] // found by fuzzing (tests/Pkce.Fuzz/crashes/par): JsonDocument's duplicate check threw on the name
    [InlineData("{\"request_uri\":\"urn:x\",\"expires_in\":60,\"\\ud800\":1}")]
    [InlineData("{\"request_uri\":\"urn:x\",\"expires_in\":60,\"x\":\"\\udc00\"}")]
    public void ALoneSurrogateEscapeAnywhereIsAnUnexpectedAnswerNotAnException(string body) =>
        Assert.Contains("not valid Unicode", Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Parse(Encoding.UTF8.GetBytes(body)))).Reason);
}
