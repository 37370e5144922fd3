using System.Text;
using System.Text.Json;
using LanguageExt;

namespace Pkce;

/// <summary>
/// A successful access token response (RFC 6749 §5.1), parsed by <see cref="TokenResponseParser.Parse(Http.HttpAnswer, bool)"/>.
/// Prints its token type, lifetime, scope and the names of <see cref="Extra"/> only, as <see cref="ServerText.Printable"/>
/// shows server text; tokens and <see cref="RawJson"/> are secrets.
/// </summary>
/// <param name="AccessToken">The access token.</param>
/// <param name="TokenType">The token type, e.g. <c>Bearer</c> (compare case-insensitively, RFC 6749 §5.1).</param>
/// <param name="ExpiresIn">The lifetime the server gave, if any.</param>
/// <param name="RefreshToken">The refresh token, if any.</param>
/// <param name="Scope">The granted scope, if the server says (RFC 6749 §5.1: when it differs from the request).</param>
/// <param name="IdToken">The OpenID Connect ID token, if any (not validated here).</param>
/// <param name="Extra">Every other member of the response, by name.</param>
/// <param name="RawJson">The response body as received.</param>
public sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    Option<TimeSpan> ExpiresIn,
    Option<string> RefreshToken,
    Option<string> Scope,
    Option<string> IdToken,
    HashMap<string, JsonElement> Extra,
    string RawJson)
{
    /// <summary>
    /// The whole response object (the seed's <c>response.json()</c>), parsed from <see cref="RawJson"/> on each call:
    /// most callers never need it, so the exchange does not pay for it.
    /// </summary>
    public JsonElement ParseJson()
    {
        using var document = JsonDocument.Parse(RawJson);
        return document.RootElement.Clone();
    }

    // The token type, the scope and the names of the other members are the server's text: shown through ServerText.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"AccessToken = {Redaction.Mark}, TokenType = {ServerText.Printable(TokenType)}, ExpiresIn = {ExpiresIn}, ");
        builder.Append($"RefreshToken = {RefreshToken.Map(_ => Redaction.Mark)}, Scope = {Scope.Map(ServerText.Printable)}, ");
        builder.Append($"IdToken = {IdToken.Map(_ => Redaction.Mark)}, Extra = [{string.Join(", ", Extra.Keys.Map(ServerText.Printable))}]");
        return true;
    }
}
