using Pkce.Http;
using System.Text;
using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class TokenRequestProperties
{
    private static VerifiedCallback Verified(PkceConfig config)
    {
        var user = Support.User("u");
        var pending = Support.Pending(config, user, DateTimeOffset.UnixEpoch);
        var response = Support.Right(Callback.Parse($"?code=the-code&state={pending.State.Value}&iss=https%3A%2F%2Fas.example"));
        return Support.Right(Callback.Verify(response, pending, user, DateTimeOffset.UnixEpoch));
    }

    private static PkceConfig ConfigFor(ClientAuthentication method, string secret = "s3cret") =>
        Support.Config(Support.ValidSettings with { Authentication = method, ClientSecret = method == ClientAuthentication.None ? null : secret });

    [Property]
    public Property BasicHeaderDecodesBackToAnyUnicodeIdAndSecret() =>
        Prop.ForAll(Chars.WellFormedText.ToArbitrary(), Chars.WellFormedText.ToArbitrary(), (id, secret) =>
        {
            var header = Support.Right(BasicCredentials.Header(id, secret));
            var decoded = Encoding.ASCII.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var colon = decoded.IndexOf(':');
            return header.StartsWith("Basic ") && colon >= 0
                && QueryString.Decode(decoded.AsSpan(0, colon)) == id && QueryString.Decode(decoded.AsSpan(colon + 1)) == secret;
        });

    [Fact]
    public void Rfc6749FormEncodingAppliesBeforeBase64() =>
        // "a b:c" as id and "p%ss" as secret: form-encoded "a+b%3Ac" and "p%25ss", joined by ":".
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes("a+b%3Ac:p%25ss")), Support.Right(BasicCredentials.Header("a b:c", "p%ss")));

    [Property]
    public Property EveryMethodSendsTheGrantCodeVerifierAndRedirectUri() =>
        Prop.ForAll(Gen.Elements(Enum.GetValues<ClientAuthentication>()).ToArbitrary(), method =>
        {
            var config = ConfigFor(method);
            var callback = Verified(config);
            var request = Support.Right(TokenRequest.Build(config, callback));
            var form = request.Form.ToDictionary(p => p.Name, p => p.Value);
            var common = form["grant_type"] == "authorization_code" && form["code"] == "the-code"
                && form["code_verifier"] == callback.Pending.Verifier.Value && form["redirect_uri"] == "http://127.0.0.1:8000/callback"
                && request.Endpoint == config.Server.TokenEndpoint;
            return common && method switch
            {
                ClientAuthentication.None => form["client_id"] == "client-1" && !form.ContainsKey("client_secret") && request.Authorization.IsNone,
                ClientAuthentication.ClientSecretPost => form["client_id"] == "client-1" && form["client_secret"] == "s3cret" && request.Authorization.IsNone,
                _ => !form.ContainsKey("client_id") && !form.ContainsKey("client_secret") && request.Authorization.IsSome,
            };
        });

    [Property]
    public Property TokenRequestsNeverPrintSecrets() =>
        Prop.ForAll(Gen.Elements(Enum.GetValues<ClientAuthentication>()).ToArbitrary(), method =>
        {
            var config = ConfigFor(method, "top-secret-value");
            var callback = Verified(config);
            var printed = Support.Right(TokenRequest.Build(config, callback)).ToString() + callback;
            return !printed.Contains("top-secret-value") && !printed.Contains("the-code") && !printed.Contains(callback.Pending.Verifier.Value);
        });
}
