using System.Text;
using System.Text.Json;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// Known answers for what each record with a secret prints (its <c>PrintMembers</c>): every member but the secret,
/// which shows as the redaction mark, or not at all.
/// </summary>
public class PrintingProperties
{
    [Fact]
    public void SettingsPrintEveryMemberButTheSecret()
    {
        var settings = new PkceSettings
        {
            ClientId = "c", ClientSecret = "hunter2", Authentication = ClientAuthentication.ClientSecretPost, RedirectUri = "r", Scope = "s",
            RootUrl = "u", AuthorizationEndpoint = "a", TokenEndpoint = "t", PushedAuthorizationRequestEndpoint = "p", UsePushedAuthorizationRequests = false,
            RequirePushedAuthorizationRequests = true, RevocationEndpoint = "v", ExpectedIssuer = "i", IssuerAlwaysSent = true,
        };
        Assert.Equal("PkceSettings { ClientId = c, ClientSecret = [redacted], Authentication = ClientSecretPost, RedirectUri = r, Scope = s, "
            + "RootUrl = u, AuthorizationEndpoint = a, TokenEndpoint = t, PushedAuthorizationRequestEndpoint = p, UsePushedAuthorizationRequests = False, "
            + "RequirePushedAuthorizationRequests = True, RevocationEndpoint = v, ExpectedIssuer = i, IssuerAlwaysSent = True }", settings.ToString());
        Assert.Contains("ClientSecret = ,", new PkceSettings().ToString());
    }

    [Fact]
    public void SettingsDefaults()
    {
        var settings = new PkceSettings();
        Assert.Equal(("authorize", "token", true, false, false), (settings.AuthorizationPath, settings.TokenPath, settings.UsePushedAuthorizationRequests,
            settings.RequirePushedAuthorizationRequests, settings.IssuerAlwaysSent));
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.PendingLifetime);
    }

    [Fact]
    public void ATokenResponsePrintsNoToken()
    {
        using var extra = JsonDocument.Parse("1");
        var response = new TokenResponse("at-secret", "Bearer", Some(TimeSpan.FromSeconds(5)), Some("rt-secret"), Some("read"), Some("id-secret"),
            HashMap(("x", extra.RootElement.Clone())), "{}");
        Assert.Equal("TokenResponse { AccessToken = [redacted], TokenType = Bearer, ExpiresIn = Some(00:00:05), RefreshToken = Some([redacted]), Scope = Some(read), "
            + "IdToken = Some([redacted]), Extra = [x] }", response.ToString());
    }

    [Fact]
    public void ATokenSetPrintsNoToken()
    {
        var tokens = new TokenSet("at-secret", "DPoP", None, Some("rt-secret"), None, DateTimeOffset.UnixEpoch);
        Assert.Equal("TokenSet { AccessToken = [redacted], TokenType = DPoP, ExpiresAt = None, RefreshToken = Some([redacted]), "
            + "Scope = None, ReceivedAt = 1970-01-01T00:00:00.0000000+00:00 }", tokens.ToString());
    }

    [Fact]
    public void ATokenSetPrintsServerTextEscaped()
    {
        var tokens = new TokenSet("at", "Bearer\u001b[2J", None, None, Some("read\r\nforged\u0007"), DateTimeOffset.UnixEpoch);
        Assert.Equal("TokenSet { AccessToken = [redacted], TokenType = Bearer\\u001B[2J, ExpiresAt = None, RefreshToken = None, "
            + "Scope = Some(read\\u000D\\u000Aforged\\u0007), ReceivedAt = 1970-01-01T00:00:00.0000000+00:00 }", tokens.ToString());
    }

    [Fact]
    public void AFormPostPrintsNamesNotValues()
    {
        var post = new FormPost("token endpoint", new Uri("https://as.example/token"), Seq(new QueryParameter("code", "c-secret"), new QueryParameter("x", "y")), Some("Basic abc"))
        {
            Proof = Some("proof-secret"),
        };
        Assert.Equal("FormPost { Name = token endpoint, Endpoint = https://as.example/token, Form = [code, x], Authorization = Basic [redacted], Proof = [redacted] }", post.ToString());
        Assert.EndsWith("Authorization = none, Proof = none }", (post with { Authorization = None, Proof = None }).ToString());
    }

    [Fact]
    public void AQueryParameterPrintsItsNameNotItsValue()
    {
        Assert.Equal("QueryParameter { Name = code_verifier, Value = [redacted] }", new QueryParameter("code_verifier", "v-secret").ToString());
        // Any parameter's value: which names carry a secret depends on the server (an API key in an extra, say).
        Assert.Equal("QueryParameter { Name = x, Value = [redacted] }", new QueryParameter("x", "y").ToString());
        // A name can come from a callback's query: shown through ServerText.
        Assert.Equal("QueryParameter { Name = a\\u001B[2J, Value = [redacted] }", new QueryParameter("a\u001b[2J", "v").ToString());
        var post = new FormPost("token endpoint", new Uri("https://as.example/token"), Seq(
            new QueryParameter("code", "c-secret"), new QueryParameter("code_verifier", "v-secret"), new QueryParameter("client_secret", "s-secret")), None);
        var form = post.Form.ToString();
        Assert.DoesNotContain("secret", form.Replace("client_secret", ""));
        Assert.Contains("code_verifier", form);
    }

    [Fact]
    public void ATokenResponsePrintsServerTextEscaped()
    {
        using var extra = JsonDocument.Parse("1");
        var response = new TokenResponse("at", "Bearer\u001b[2J", None, None, Some("read\r\nforged: line\u0007"), None,
            HashMap(("x\u001b]0;title\u0007", extra.RootElement.Clone())), "{}");
        Assert.Equal("TokenResponse { AccessToken = [redacted], TokenType = Bearer\\u001B[2J, ExpiresIn = None, RefreshToken = None, "
            + "Scope = Some(read\\u000D\\u000Aforged: line\\u0007), IdToken = None, Extra = [x\\u001B]0;title\\u0007] }", response.ToString());
    }

    [Fact]
    public void ARefusedCallbackPrintsServerTextEscaped()
    {
        var state = State.From("fuzzstate0fuzzstate1fuzzstate2fuzzstate3abc").IfLeft(_ => throw new InvalidOperationException());
        var refused = new AuthorizationResponse.Refused("access_denied\u0007", Some("\u001b[31mred\r\nforged"), Some("https://as.example/e\u001b"), state,
            Some("https://as.example\r\n"));
        var printed = refused.ToString();
        Assert.DoesNotContain(printed, c => char.IsControl(c));
        Assert.Contains("ErrorDescription = Some(\\u001B[31mred\\u000D\\u000Aforged)", printed);
        Assert.Contains("Error = access_denied\\u0007", printed);
        Assert.Contains("ErrorUri = Some(https://as.example/e\\u001B)", printed);
        Assert.Contains("Issuer = Some(https://as.example\\u000D\\u000A)", printed);
        var granted = AuthorizationCode.From("c-secret").Map(code => new AuthorizationResponse.Granted(code, state, Some("https://as.example\u001b"))).IfLeft(_ => throw new InvalidOperationException());
        Assert.DoesNotContain(granted.ToString(), c => char.IsControl(c));
        Assert.DoesNotContain("c-secret", granted.ToString());
        // The whole text, so the base's members, the separators and the closing brace are pinned too.
        Assert.Equal("Refused { State = fuzzstate0fuzzstate1fuzzstate2fuzzstate3abc, Issuer = Some(https://as.example\\u000D\\u000A), "
            + "Error = access_denied\\u0007, ErrorDescription = Some(\\u001B[31mred\\u000D\\u000Aforged), ErrorUri = Some(https://as.example/e\\u001B) }",
            printed);
        Assert.Equal("Granted { State = fuzzstate0fuzzstate1fuzzstate2fuzzstate3abc, Issuer = Some(https://as.example\\u001B), Code = [redacted] }",
            granted.ToString());
    }

    [Fact]
    public void TheSecretsOfAFormPostAreItsSecretFieldsValues()
    {
        var post = new FormPost("n", new Uri("https://as.example/"), Seq(
            new QueryParameter("code", "1"), new QueryParameter("code_verifier", "2"), new QueryParameter("refresh_token", "3"),
            new QueryParameter("client_secret", "4"), new QueryParameter("token", "5"), new QueryParameter("client_id", "6"), new QueryParameter("grant_type", "7")), None);
        Assert.Equal(Seq("1", "2", "3", "4", "5"), post.Secrets);
    }

    [Fact]
    public void AnAnswerPrintsItsBodyLengthOnly()
    {
        var answer = new HttpAnswer("token endpoint", 200, Some("application/json"), Encoding.UTF8.GetBytes("{\"access_token\":\"s\"}")) { DpopNonce = Some("n\u0001") };
        Assert.Equal("HttpAnswer { Endpoint = token endpoint, Status = 200, ContentType = Some(application/json), Body = 20 bytes, DpopNonce = Some(n\\u0001) }", answer.ToString());
    }

    [Fact]
    public void ConfigEqualityIsByValue()
    {
        var a = Support.Config();
        var b = Support.Config();
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, Support.Config(Support.ValidSettings with { Timeout = TimeSpan.FromSeconds(3) }));
        Assert.NotEqual(a, Support.Config(Support.ValidSettings with { PendingLifetime = TimeSpan.FromMinutes(3) }));
        Assert.NotEqual(a, Support.Config(Support.ValidSettings with { ClientId = "other" }));
        Assert.NotEqual(a, Support.Config(Support.ValidSettings with { TokenEndpoint = "https://as.example/other" }));
        Assert.False(a.Equals(null));
    }
}
