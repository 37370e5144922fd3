using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// How an endpoint's answer is read (<see cref="JsonAnswer"/>), with the revocation (RFC 7009 §2.2) and pushed
/// authorization (RFC 9126 §2.2) answers built on it: known answers for each reason an answer is refused.
/// </summary>
public class JsonAnswerProperties
{
    private static HttpAnswer Answer(int status, string body, string? contentType = "application/json") =>
        new("test endpoint", status, Optional(contentType), Encoding.UTF8.GetBytes(body));

    private static string ReasonOf<T>(Either<PkceError, T> result) => Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(result)).Reason;

    private static Either<PkceError, string> ReadOk(HttpAnswer answer) => JsonAnswer.Read(answer, (_, text) => Right<PkceError, string>(text));

    [Theory]
    [InlineData("application/json")]
    [InlineData("Application/JSON; charset=utf-8")]
    [InlineData(" application/json ;x")]
    [InlineData("application/problem+json")]
    [InlineData(null)]
    public void JsonMediaTypesAreRead(string? contentType) => Assert.Equal("{}", Support.Right(ReadOk(Answer(200, "{}", contentType))));

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/jsonx")]
    [InlineData("text/json+html")]
    public void OtherMediaTypesAreRefused(string contentType) =>
        Assert.Equal($"content type '{contentType}' is not JSON", ReasonOf(ReadOk(Answer(200, "{}", contentType))));

    [Fact]
    public void EachMalformedBodyHasItsReason()
    {
        Assert.Equal("the body is not valid UTF-8", ReasonOf(ReadOk(new HttpAnswer("e", 200, None, [0xff, 0xfe]))));
        Assert.Equal("the body is empty", ReasonOf(ReadOk(Answer(200, ""))));
        Assert.Equal("the body is not valid JSON", ReasonOf(ReadOk(Answer(200, "{"))));
        Assert.Equal("the body is not valid JSON", ReasonOf(ReadOk(Answer(200, """{"a":1,"a":2}"""))));
        Assert.Equal("the body is not a JSON object", ReasonOf(ReadOk(Answer(200, "[]"))));
        Assert.Equal("the body is neither the answer asked for nor an OAuth error", ReasonOf(ReadOk(Answer(400, "{}"))));
        Assert.Equal("the body is neither the answer asked for nor an OAuth error", ReasonOf(ReadOk(Answer(300, "{}"))));
        Assert.Equal("the body is neither the answer asked for nor an OAuth error", ReasonOf(ReadOk(Answer(199, "{}"))));
        Assert.Equal("{}", Support.Right(ReadOk(Answer(299, "{}"))));
    }

    [Fact]
    public void AnOAuthErrorIsTypedOnAnyStatus()
    {
        var error = Assert.IsType<PkceError.EndpointError>(Support.Left(ReadOk(Answer(200, """{"error":"e","error_description":"d","error_uri":"u"}"""))));
        Assert.Equal(("test endpoint", 200, "e", Some("d"), Some("u")), (error.Endpoint, error.Status, error.Error, error.ErrorDescription, error.ErrorUri));
        var bare = Assert.IsType<PkceError.EndpointError>(Support.Left(ReadOk(Answer(401, """{"error":"e","error_description":null}"""))));
        Assert.True(bare.ErrorDescription.IsNone && bare.ErrorUri.IsNone);
        Assert.Equal("'error' is missing or empty", ReasonOf(ReadOk(Answer(400, """{"error":""}"""))));
        Assert.Equal("'error' is missing or empty", ReasonOf(ReadOk(Answer(400, """{"error":null}"""))));
        Assert.Equal("'error' is a Number, not a string", ReasonOf(ReadOk(Answer(400, """{"error":1}"""))));
        Assert.Equal("'error_description' is a Array, not a string", ReasonOf(ReadOk(Answer(400, """{"error":"e","error_description":[]}"""))));
        Assert.Equal("'error_uri' is a True, not a string", ReasonOf(ReadOk(Answer(400, """{"error":"e","error_uri":true}"""))));
        Assert.Equal("the body holds a string that is not valid Unicode (a lone surrogate escape)", ReasonOf(ReadOk(Answer(400, """{"error":"\ud800"}"""))));
    }

    [Fact]
    public void AnExcerptIsKeptForErrorStatusesOnly()
    {
        Assert.Equal(Some("<html>"), Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(500, "<html>", "text/html")))).BodyExcerpt);
        Assert.True(Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(200, "<html>", "text/html")))).BodyExcerpt.IsNone);
        Assert.True(Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(500, "", "text/html")))).BodyExcerpt.IsNone);
        var longBody = new string('a', ServerText.MaxLength * 5);
        var excerpt = Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(ReadOk(Answer(500, longBody, "text/html")))).BodyExcerpt.IfNone("");
        Assert.Equal(ServerText.Printable(new string('a', ServerText.MaxLength * 4)), excerpt);
    }

    private static Either<string, Option<TimeSpan>> Seconds(string json) =>
        JsonAnswer.Seconds(System.Text.Json.JsonDocument.Parse(json).RootElement, "n", TimeSpan.FromSeconds(100));

    [Fact]
    public void SecondsAreWholeNonNegativeAndBounded()
    {
        Assert.Equal(Right<string, Option<TimeSpan>>(None), Seconds("{}"));
        Assert.Equal(Right<string, Option<TimeSpan>>(None), Seconds("""{"n":null}"""));
        Assert.Equal(Right<string, Option<TimeSpan>>(Some(TimeSpan.FromSeconds(1))), Seconds("""{"n":1.9}"""));
        Assert.Equal(Right<string, Option<TimeSpan>>(Some(TimeSpan.FromSeconds(7))), Seconds("""{"n":"7"}"""));
        Assert.Equal(Right<string, Option<TimeSpan>>(Some(TimeSpan.Zero)), Seconds("""{"n":0}"""));
        Assert.Equal(Right<string, Option<TimeSpan>>(Some(TimeSpan.FromSeconds(100))), Seconds("""{"n":100}"""));
        Assert.Equal(Left<string, Option<TimeSpan>>("'n' is out of range"), Seconds("""{"n":100.5}"""));
        Assert.Equal(Left<string, Option<TimeSpan>>("'n' is out of range"), Seconds("""{"n":-1}"""));
        Assert.Equal(Left<string, Option<TimeSpan>>("'n' is out of range"), Seconds("""{"n":"NaN"}"""));
        Assert.Equal(Left<string, Option<TimeSpan>>("'n' is not a number"), Seconds("""{"n":"x"}"""));
        Assert.Equal(Left<string, Option<TimeSpan>>("'n' is not a number"), Seconds("""{"n":true}"""));
    }

    [Fact]
    public void RevocationSucceedsOn200Only()
    {
        Assert.Equal(unit, Support.Right(Revocation.Parse(Answer(200, "", "text/plain"))));
        Assert.Equal("revocation answers 200 on success", ReasonOf(Revocation.Parse(Answer(204, "{}"))));
        Assert.Equal("unsupported_token_type", Assert.IsType<PkceError.EndpointError>(Support.Left(Revocation.Parse(Answer(400, """{"error":"unsupported_token_type"}""")))).Error);
    }

    [Fact]
    public void ARevocationRequestNamesTheTokenAndItsKind()
    {
        var config = Support.Config(Support.ValidSettings with { RevocationEndpoint = "https://as.example/revoke" });
        var post = Support.Right(Revocation.Build(config, "tok", true));
        Assert.Equal(new Uri("https://as.example/revoke"), post.Endpoint);
        Assert.Equal(Revocation.EndpointName, post.Name);
        Assert.Equal(Seq(new QueryParameter("token", "tok"), new QueryParameter("token_type_hint", "refresh_token"), new QueryParameter("client_id", "client-1")), post.Form);
        Assert.Equal("access_token", Support.Right(Revocation.Build(config, "tok", false)).Form[1].Value);
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Revocation.Build(config, "", false)));
        Assert.IsType<PkceError.InvalidValue>(Support.Left(Revocation.Build(Support.Config(), "tok", false)));
    }

    [Fact]
    public void APushedAuthorizationAnswerNeedsARequestUriAndAPositiveLifetime()
    {
        Assert.Equal(new PushedAuthorization("urn:x", TimeSpan.FromSeconds(60)), Support.Right(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":"urn:x","expires_in":60}"""))));
        Assert.Equal("'request_uri' is missing", ReasonOf(PushedAuthorizationRequest.Parse(Answer(201, """{"expires_in":60}"""))));
        Assert.Equal("'request_uri' is missing", ReasonOf(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":"","expires_in":60}"""))));
        Assert.Equal("'request_uri' is a Number, not a string", ReasonOf(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":1,"expires_in":60}"""))));
        Assert.Equal("'expires_in' is missing", ReasonOf(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":"urn:x"}"""))));
        Assert.Equal("'expires_in' is not positive", ReasonOf(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":"urn:x","expires_in":0.5}"""))));
        Assert.Equal("'expires_in' is out of range", ReasonOf(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":"urn:x","expires_in":86401}"""))));
        Assert.Equal(TimeSpan.FromDays(1), Support.Right(PushedAuthorizationRequest.Parse(Answer(201, """{"request_uri":"urn:x","expires_in":86400}"""))).ExpiresIn);
    }

    [Fact]
    public void APushedRequestWithBasicAuthenticationStillNamesTheClient()
    {
        var pending = Support.Pending(Support.Config(), Support.User("u"), DateTimeOffset.UnixEpoch);
        var basic = Support.Config(Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par", ClientSecret = "s", Authentication = ClientAuthentication.ClientSecretBasic });
        var post = Support.Right(PushedAuthorizationRequest.Build(basic, pending, Seq<QueryParameter>()));
        Assert.Single(post.Form, p => p.Name == "client_id" && p.Value == "client-1");
        Assert.True(post.Authorization.IsSome);
        var form = Support.Right(PushedAuthorizationRequest.Build(
            Support.Config(Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par", ClientSecret = "s", Authentication = ClientAuthentication.ClientSecretPost }),
            pending, Seq<QueryParameter>())).Form;
        Assert.Single(form, p => p.Name == "client_id");
        Assert.IsType<PkceError.InvalidValue>(Support.Left(PushedAuthorizationRequest.Build(Support.Config(), pending, Seq<QueryParameter>())));
    }
}
