using Pkce.Http;
using System.Text;
using System.Text.Json;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class TokenResponseProperties
{
    private static Either<PkceError, TokenResponse> Parse(int status, string? contentType, string body) =>
        TokenResponseParser.Parse(new HttpAnswer("token endpoint", status, Optional(contentType), Encoding.UTF8.GetBytes(body)));

    [Property(MaxTest = 5000)]
    public Property StructuredJsonBodiesNeverThrowAndAlwaysGiveATypedResult() =>
        Prop.ForAll(JsonBodies.Bodies.ToArbitrary(), JsonBodies.Statuses.ToArbitrary(), JsonBodies.ContentTypes.ToArbitrary(), (body, status, type) =>
            TokenResponseParser.Parse(new HttpAnswer("token endpoint", status, type, body)).Match(
                token => status is >= 200 and < 300 && token.AccessToken.Length > 0,
                error => error is PkceError.EndpointError or PkceError.UnexpectedResponse or PkceError.UnsupportedTokenType));

    [Property(MaxTest = 2000)]
    public Property ArbitraryBytesNeverThrow() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), JsonBodies.Statuses.ToArbitrary(), (body, status) =>
            TokenResponseParser.Parse(new HttpAnswer("token endpoint", status, None, body)).Match(_ => true, e => e is not null));

    [Property(MaxTest = 2000)]
    public Property SuccessBodiesNeverAppearInErrors() =>
        Prop.ForAll(JsonBodies.Bodies.ToArbitrary(), Gen.Elements(200, 201).ToArbitrary(), (body, status) =>
            TokenResponseParser.Parse(new HttpAnswer("token endpoint", status, Some("application/json"), body)).Match(
                _ => true,
                error => error is not PkceError.UnexpectedResponse u || u.BodyExcerpt.IsNone));

    [Property]
    public Property WellFormedResponsesRoundTrip() =>
        Prop.ForAll(
            Chars.WellFormedText.Where(t => t.Length > 0).ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            Gen.Elements(true, false).ToArbitrary(),
            (token, expires, asString) =>
            {
                var json = JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["access_token"] = token, ["token_type"] = "bearer", ["refresh_token"] = token + "r",
                    ["expires_in"] = asString ? expires.ToString() : expires, ["scope"] = "a b", ["custom"] = new[] { 1, 2 },
                });
                var parsed = Support.Right(Parse(200, "application/json", json));
                return parsed.AccessToken == token && parsed.TokenType == "bearer"
                    && parsed.ExpiresIn == Some(TimeSpan.FromSeconds(expires)) && parsed.RefreshToken == Some(token + "r")
                    && parsed.Scope == Some("a b") && parsed.Extra["custom"].GetArrayLength() == 2 && parsed.RawJson == json;
            });

    [Property]
    public Property ErrorBodiesMapToTokenEndpointErrorOnAnyStatus() =>
        Prop.ForAll(Gen.Elements(200, 400, 401, 403, 500).ToArbitrary(), Gen.Elements("invalid_grant", "invalid_client", "invalid_request").ToArbitrary(), (status, code) =>
            Support.Left(Parse(status, "application/json", $"{{\"error\":\"{code}\",\"error_description\":\"d\"}}")) is PkceError.EndpointError e
            && e.Error == code && e.Status == status && e.ErrorDescription == Some("d"));

    [Fact]
    public void HtmlOn500IsUnexpectedWithAnExcerpt()
    {
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Parse(500, "text/html", "<html>Internal error</html>")));
        Assert.Equal(Some("<html>Internal error</html>"), error.BodyExcerpt);
    }

    [Theory]
    [InlineData("", "the body is empty")]
    [InlineData("{\"access_token\":\"abc\"", "not valid JSON")]
    [InlineData("[1]", "not a JSON object")]
    [InlineData("{\"token_type\":\"bearer\"}", "'access_token' is missing")]
    [InlineData("{\"access_token\":42}", "'access_token' is a Number")]
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"soon\"}", "'expires_in' is not a number")]
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":-1}", "'expires_in' is out of range")]
    [InlineData("{\"access_token\":\"\\ud800\"}", "not valid Unicode")]
    // Found by fuzzing (tests/Pkce.Fuzz/crashes/token): a member name escaping a lone surrogate made JsonDocument's
    // duplicate check throw; one in a member nothing reads was kept in Extra and made the command's printing throw.
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"\\ud800\":1}", "not valid Unicode")]
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"x\":{\"y\":[\"\\udc00\"]}}", "not valid Unicode")]
    public void MalformedSuccessBodiesAreUnexpected(string body, string reason)
    {
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Parse(200, "application/json", body)));
        Assert.Contains(reason, error.Reason);
        Assert.True(error.BodyExcerpt.IsNone);
    }

    [Theory]
    [InlineData("{\"access_token\":\"a\"}", null)]
    [InlineData("{\"access_token\":\"a\",\"token_type\":null}", null)]
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"mac\"}", "mac")]
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"Bearer \"}", "Bearer ")]
    [InlineData("{\"access_token\":\"a\",\"token_type\":\"N_A\"}", "N_A")]
    public void MissingOrUnknownTokenTypeIsRefusedNotUsed(string body, string? type) =>
        Assert.Equal(new PkceError.UnsupportedTokenType(Optional(type)), Support.Left(Parse(200, "application/json", body)));

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public void BearerIsUnderstoodInAnyLetterCase(string type) =>
        Assert.Equal(type, Support.Right(Parse(200, null, $"{{\"access_token\":\"a\",\"token_type\":\"{type}\"}}")).TokenType);

    [Fact]
    public void TokensNeverPrint()
    {
        var token = Support.Right(Parse(200, "application/json", "{\"access_token\":\"AT-secret\",\"refresh_token\":\"RT-secret\",\"id_token\":\"ID-secret\",\"token_type\":\"Bearer\"}"));
        Assert.DoesNotContain("secret", token.ToString());
    }
}
