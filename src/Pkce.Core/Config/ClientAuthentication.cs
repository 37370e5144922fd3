namespace Pkce;

/// <summary>How the client authenticates at the token endpoint (RFC 6749 §2.3).</summary>
public enum ClientAuthentication
{
    /// <summary>A public client (RFC 6749 §2.1): sends <c>client_id</c> in the form body and no secret.</summary>
    None,

    /// <summary>
    /// RFC 6749 §2.3.1: HTTP Basic with the client id and secret, each form-encoded first. "The authorization
    /// server MUST support the HTTP Basic authentication scheme for authenticating clients that were issued a
    /// client password."
    /// </summary>
    ClientSecretBasic,

    /// <summary>
    /// RFC 6749 §2.3.1: <c>client_id</c> and <c>client_secret</c> in the form body. "Including the client
    /// credentials in the request-body using the two parameters is NOT RECOMMENDED".
    /// </summary>
    ClientSecretPost,
}
