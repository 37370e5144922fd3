namespace Pkce.Properties;

/// <summary>
/// The exact text of the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3) and of the pushed request's URL
/// (RFC 9126 §4), with and without the endpoint's own query (RFC 6749 §3.1: "MUST be retained"), with and without a
/// scope, and the words of each refused extra. Configurations are made inside each test: the request's fixed
/// prefix is computed when a configuration is validated.
/// </summary>
public class AuthorizationUrlExactTextProperties
{
    private static PkceConfig ConfigFor(string endpoint, string? scope = "read_api openid") =>
        Support.Config(Support.ValidSettings with { AuthorizationEndpoint = endpoint, Scope = scope, ClientId = "client 1" });

    private static PendingAuthorization Pending(PkceConfig config) => Support.Pending(config, Support.User("u"), DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("https://as.example/authorize", "read_api openid", "https://as.example/authorize?response_type=code&client_id=client%201&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback&scope=read_api%20openid")]
    [InlineData("https://as.example/authorize", null, "https://as.example/authorize?response_type=code&client_id=client%201&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback")]
    [InlineData("https://as.example/authorize?", null, "https://as.example/authorize?response_type=code&client_id=client%201&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback")]
    [InlineData("https://as.example/authorize?t=1", null, "https://as.example/authorize?t=1&response_type=code&client_id=client%201&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fcallback")]
    public void TheRequestIsThePrefixThenStateChallengeAndMethod(string endpoint, string? scope, string prefix)
    {
        var config = ConfigFor(endpoint, scope);
        var pending = Pending(config);
        var url = Support.Right(AuthorizationUrl.Build(config, pending, Seq1(new QueryParameter("prompt", "a b"))));
        Assert.Equal($"{prefix}&state={pending.State.Value}&code_challenge={pending.Challenge.Value}&code_challenge_method=S256&prompt=a%20b", url);
    }

    [Theory]
    [InlineData("https://as.example/authorize", "https://as.example/authorize?client_id=client%201&request_uri=urn%3Ax%3A1")]
    [InlineData("https://as.example/authorize?", "https://as.example/authorize?client_id=client%201&request_uri=urn%3Ax%3A1")]
    [InlineData("https://as.example/authorize?t=1", "https://as.example/authorize?t=1&client_id=client%201&request_uri=urn%3Ax%3A1")]
    public void APushedRequestsUrlHoldsTheEndpointsQueryClientIdAndRequestUri(string endpoint, string expected) =>
        Assert.Equal(expected, AuthorizationUrl.Pushed(ConfigFor(endpoint), "urn:x:1"));

    [Fact]
    public void PushedParametersAreTheRequestsButClientId()
    {
        var config = ConfigFor("https://as.example/authorize");
        var pending = Pending(config);
        var parameters = Support.Right(AuthorizationUrl.Parameters(config, pending, Seq1(new QueryParameter("prompt", "login"))));
        Assert.Equal(
            [("response_type", "code"), ("redirect_uri", "http://127.0.0.1:8000/callback"), ("scope", "read_api openid"),
             ("state", pending.State.Value), ("code_challenge", pending.Challenge.Value), ("code_challenge_method", "S256"), ("prompt", "login")],
            parameters.Map(p => (p.Name, p.Value)).ToArray());
        Assert.Equal("invalid extra parameter: 'state' is already set by the request",
            Support.Left(AuthorizationUrl.Parameters(config, pending, Seq1(new QueryParameter("state", "x")))).Message);
    }

    public static TheoryData<QueryParameter[], string> RefusedExtras => new()
    {
        { [new QueryParameter(null!, "x")], "invalid extra parameter: an extra parameter has no name or no value" },
        { [new QueryParameter("x", null!)], "invalid extra parameter: an extra parameter has no name or no value" },
        { [new QueryParameter("", "x")], "invalid extra parameter: an extra parameter has an empty name" },
        { [new QueryParameter("a b\u001B", "x")], "invalid extra parameter: 'a b\\u001B' is not made of ASCII letters, digits, '_' and '-'" },
        { [new QueryParameter("Client_Id", "x")], "invalid extra parameter: 'Client_Id' is already set by the request" },
        { [new QueryParameter("prompt", "x"), new QueryParameter("PROMPT", "y")], "invalid extra parameter: 'PROMPT' is already set by the request" },
        { [new QueryParameter("x", "a\uDC00")], "invalid extra parameter: 'x' contains a lone UTF-16 surrogate" },
    };

    [Theory]
    [MemberData(nameof(RefusedExtras))]
    public void EachRefusedExtraIsReportedInItsOwnWords(QueryParameter[] extras, string message)
    {
        var config = ConfigFor("https://as.example/authorize");
        Assert.Equal(message, Assert.IsType<PkceError.InvalidValue>(Support.Left(AuthorizationUrl.Build(config, Pending(config), toSeq(extras)))).Message);
    }
}
