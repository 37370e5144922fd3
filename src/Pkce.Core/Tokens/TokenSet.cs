using System.Text;
using LanguageExt;

namespace Pkce;

/// <summary>
/// A user's tokens as kept between requests: the access token with its absolute expiry, and the refresh token that
/// renews it. Made from a token response by <see cref="From"/> (first login) or <see cref="Renewed"/> (refresh).
/// Prints without any token.
/// </summary>
/// <param name="AccessToken">The access token (secret).</param>
/// <param name="TokenType">Its type, e.g. <c>Bearer</c>.</param>
/// <param name="ExpiresAt">When it expires, if the server said (RFC 6749 §5.1 <c>expires_in</c> from the time of receipt).</param>
/// <param name="RefreshToken">The refresh token, if any (secret).</param>
/// <param name="Scope">The granted scope, if the server said.</param>
public sealed record TokenSet(string AccessToken, string TokenType, Option<DateTimeOffset> ExpiresAt, Option<string> RefreshToken, Option<string> Scope)
{
    /// <summary>The tokens of a response received at <paramref name="now"/>.</summary>
    public static TokenSet From(TokenResponse response, DateTimeOffset now) =>
        new(response.AccessToken, response.TokenType, response.ExpiresIn.Map(e => now + e), response.RefreshToken, response.Scope);

    /// <summary>
    /// The tokens after a refresh answered at <paramref name="now"/>. RFC 6749 §6: "The authorization server MAY
    /// issue a new refresh token, in which case the client MUST discard the old refresh token and replace it with
    /// the new refresh token"; when it issues none, the old one stays. §5.1: a scope the server does not repeat is
    /// the one requested, so the old scope stays too.
    /// </summary>
    public TokenSet Renewed(TokenResponse response, DateTimeOffset now) =>
        new(response.AccessToken, response.TokenType, response.ExpiresIn.Map(e => now + e),
            response.RefreshToken.IsSome ? response.RefreshToken : RefreshToken, response.Scope.IsSome ? response.Scope : Scope);

    /// <summary>
    /// Whether the access token can still be handed out at <paramref name="now"/>: it has no stated expiry, or
    /// expires more than <paramref name="margin"/> from now (so a caller does not get a token that dies in flight).
    /// </summary>
    public bool IsFreshAt(DateTimeOffset now, TimeSpan margin) => ExpiresAt.Match(at => at - now > margin, () => true);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"AccessToken = {Redaction.Mark}, TokenType = {TokenType}, ExpiresAt = {ExpiresAt}, ");
        builder.Append($"RefreshToken = {RefreshToken.Map(_ => Redaction.Mark)}, Scope = {Scope}");
        return true;
    }
}
