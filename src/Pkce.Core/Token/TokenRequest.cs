using System.Text;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The access token request (RFC 6749 §4.1.3 with RFC 7636 §4.5), ready to send. Made by <see cref="Build"/>,
/// sent once by <see cref="Http.TokenEndpoint.Send"/>. Prints without the form or the credentials.
/// </summary>
/// <param name="Endpoint">The token endpoint.</param>
/// <param name="Form">The <c>application/x-www-form-urlencoded</c> body fields (secrets among them).</param>
/// <param name="Authorization">The <c>Authorization</c> header value for <c>client_secret_basic</c>.</param>
public sealed record TokenRequest(Uri Endpoint, Seq<QueryParameter> Form, Option<string> Authorization)
{
    /// <summary>
    /// RFC 6749 §4.1.3: <c>grant_type=authorization_code</c>, <c>code</c>, <c>redirect_uri</c> ("REQUIRED, if the
    /// "redirect_uri" parameter was included in the authorization request ... their values MUST be identical"),
    /// and <c>client_id</c> "if the client is not authenticating with the authorization server"; RFC 7636 §4.5:
    /// <c>code_verifier</c>. Client credentials by <see cref="ClientConfig.Authentication"/> (RFC 6749 §2.3.1).
    /// </summary>
    public static Either<PkceError, TokenRequest> Build(PkceConfig config, VerifiedCallback callback)
    {
        var client = config.Client;
        var form = Seq(
            new QueryParameter(WireNames.GrantType, WireNames.AuthorizationCodeGrant),
            new QueryParameter(WireNames.Code, callback.Code.Value),
            new QueryParameter(WireNames.RedirectUri, callback.Pending.RedirectUri.OriginalString),
            new QueryParameter(WireNames.CodeVerifier, callback.Pending.Verifier.Value));
        var secret = client.Secret.Map(s => s.Value).IfNone("");
        return client.Authentication switch
        {
            ClientAuthentication.ClientSecretBasic =>
                BasicCredentials.Header(client.ClientId, secret).Map(header => new TokenRequest(config.Server.TokenEndpoint, form, Some(header))),
            ClientAuthentication.ClientSecretPost =>
                new TokenRequest(config.Server.TokenEndpoint,
                    form.Add(new QueryParameter(WireNames.ClientId, client.ClientId)).Add(new QueryParameter(WireNames.ClientSecret, secret)),
                    None),
            _ => new TokenRequest(config.Server.TokenEndpoint, form.Add(new QueryParameter(WireNames.ClientId, client.ClientId)), None),
        };
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {Endpoint}, Form = [{string.Join(", ", Form.Map(p => p.Name))}], ");
        builder.Append($"Authorization = {Authorization.Match(_ => "Basic " + Redaction.Mark, () => "none")}");
        return true;
    }
}
