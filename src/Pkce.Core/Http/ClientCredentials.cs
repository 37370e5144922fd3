using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Http;

/// <summary>How the client proves itself on every request to the authorization server (token, PAR, revocation).</summary>
public static class ClientCredentials
{
    /// <summary>
    /// Makes the POST of <paramref name="form"/> to <paramref name="endpoint"/> with the client's authentication
    /// (RFC 6749 §2.3.1): <c>client_secret_basic</c> puts the form-encoded id and secret in an HTTP Basic header;
    /// <c>client_secret_post</c> adds <c>client_id</c> and <c>client_secret</c> to the body; a public client
    /// (§2.1) sends its <c>client_id</c> in the body, "if the client is not authenticating with the authorization
    /// server" (§4.1.3).
    /// </summary>
    public static Either<PkceError, FormPost> Post(ClientConfig client, string name, Uri endpoint, Seq<QueryParameter> form)
    {
        var secret = client.Secret.Map(s => s.Value).IfNone("");
        return client.Authentication switch
        {
            ClientAuthentication.ClientSecretBasic =>
                BasicCredentials.Header(client.ClientId, secret).Map(header => new FormPost(name, endpoint, form, Some(header))),
            ClientAuthentication.ClientSecretPost =>
                new FormPost(name, endpoint,
                    form.Add(new QueryParameter(WireNames.ClientId, client.ClientId)).Add(new QueryParameter(WireNames.ClientSecret, secret)), None),
            _ => new FormPost(name, endpoint, form.Add(new QueryParameter(WireNames.ClientId, client.ClientId)), None),
        };
    }
}
