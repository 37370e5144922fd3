using System.Text;
using LanguageExt;

namespace Pkce.Http;

/// <summary>The HTTP Basic header of <c>client_secret_basic</c>.</summary>
public static class BasicCredentials
{
    /// <summary>
    /// RFC 6749 §2.3.1: "The client identifier is encoded using the "application/x-www-form-urlencoded" encoding
    /// algorithm per Appendix B, and the encoded value is used as the username; the client password is encoded
    /// using the same algorithm and used as the password." Then RFC 7617 §2: base64 of <c>user-id ":" password</c>.
    /// Form-encoding first is what lets an id or secret hold <c>:</c> or any Unicode.
    /// </summary>
    public static Either<PkceError, string> Header(string clientId, string clientSecret) =>
        from id in QueryString.FormEncode(clientId)
        from secret in QueryString.FormEncode(clientSecret)
        select "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes(id + ":" + secret));
}
