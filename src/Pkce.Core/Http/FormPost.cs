using System.Text;
using LanguageExt;

namespace Pkce.Http;

/// <summary>
/// One <c>application/x-www-form-urlencoded</c> POST to an endpoint of the authorization server (token, pushed
/// authorization request, revocation), ready to send through <see cref="HttpPort"/>. Built by the pure
/// <c>Build</c> of each step. Prints without the form values or the credentials.
/// </summary>
/// <param name="Name">What the endpoint is, for messages (<c>token endpoint</c>).</param>
/// <param name="Endpoint">Its address.</param>
/// <param name="Form">The body fields (secrets among them).</param>
/// <param name="Authorization">The <c>Authorization</c> header value for <c>client_secret_basic</c>.</param>
public sealed record FormPost(string Name, Uri Endpoint, Seq<QueryParameter> Form, Option<string> Authorization)
{
    /// <summary>The <c>DPoP</c> header (RFC 9449 §4.1): a proof made for this one request, when the client uses DPoP.</summary>
    public Option<string> Proof { get; init; }

    private static readonly System.Collections.Generic.HashSet<string> SecretFields = new(StringComparer.Ordinal)
    {
        WireNames.Code, WireNames.CodeVerifier, WireNames.RefreshToken, WireNames.ClientSecret, "token",
    };

    /// <summary>The secret values this request carries (code, verifier, refresh token, token, client secret), for <see cref="ErrorRedaction"/>.</summary>
    public Seq<string> Secrets => Form.Filter(p => SecretFields.Contains(p.Name)).Map(p => p.Value);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Name = {Name}, Endpoint = {Endpoint}, Form = [{string.Join(", ", Form.Map(p => p.Name))}], ");
        builder.Append($"Authorization = {Authorization.Match(_ => "Basic " + Redaction.Mark, () => "none")}, Proof = {Proof.Match(_ => Redaction.Mark, () => "none")}");
        return true;
    }
}
