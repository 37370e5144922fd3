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
/// <param name="ReceivedAt">When the response arrived: with <paramref name="ExpiresAt"/>, the token's lifetime.</param>
public sealed record TokenSet(string AccessToken, string TokenType, Option<DateTimeOffset> ExpiresAt, Option<string> RefreshToken, Option<string> Scope,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The tokens of a response received at <paramref name="now"/>. An empty refresh token is no refresh token.</summary>
    public static TokenSet From(TokenResponse response, DateTimeOffset now) =>
        new(response.AccessToken, response.TokenType, response.ExpiresIn.Map(e => now + e), NonEmpty(response.RefreshToken), response.Scope, now);

    private static Option<string> NonEmpty(Option<string> value) => value.Filter(v => v.Length > 0);

    /// <summary>
    /// The tokens after a refresh answered at <paramref name="now"/>. RFC 6749 §6: "The authorization server MAY
    /// issue a new refresh token, in which case the client MUST discard the old refresh token and replace it with
    /// the new refresh token"; when it issues none, the old one stays. §5.1: a scope the server does not repeat is
    /// the one requested, so the old scope stays too.
    /// </summary>
    public TokenSet Renewed(TokenResponse response, DateTimeOffset now) =>
        new(response.AccessToken, response.TokenType, response.ExpiresIn.Map(e => now + e),
            NonEmpty(response.RefreshToken).IsSome ? NonEmpty(response.RefreshToken) : RefreshToken, response.Scope.IsSome ? response.Scope : Scope, now);

    /// <summary>
    /// The same tokens with a refresh token the server rotated in an answer whose access token could not be used:
    /// the old refresh token is spent, the new one must be kept, and the access token is marked expired so the next
    /// call renews it with the new one.
    /// </summary>
    public TokenSet WithRotatedRefreshToken(string refreshToken) =>
        this with { RefreshToken = Prelude.Some(refreshToken), ExpiresAt = Prelude.Some(DateTimeOffset.MinValue) };

    /// <summary>
    /// Whether the access token can still be handed out at <paramref name="now"/>: it has no stated expiry, or
    /// expires more than the margin from now (so a caller does not get a token that dies in flight). The margin is
    /// at most half the token's lifetime, so a server that issues tokens shorter than the margin does not make every
    /// call a refresh; and a token received within the last second is handed out whatever its lifetime.
    /// </summary>
    public bool IsFreshAt(DateTimeOffset now, TimeSpan margin) =>
        ExpiresAt.Match(
            at => at - now > TimeSpan.FromTicks(Math.Min(margin.Ticks, Math.Max(0, (at - ReceivedAt).Ticks / 2))) || (at >= ReceivedAt && now >= ReceivedAt && now - ReceivedAt < TimeSpan.FromSeconds(1)),
            () => true);

    // The token type and the scope are the server's text (or a store's): shown through ServerText.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"AccessToken = {Redaction.Mark}, TokenType = {ServerText.Printable(TokenType)}, ExpiresAt = {ExpiresAt}, ");
        builder.Append($"RefreshToken = {RefreshToken.Map(_ => Redaction.Mark)}, Scope = {Scope.Map(ServerText.Printable)}, ReceivedAt = {ReceivedAt:O}");
        return true;
    }
}
