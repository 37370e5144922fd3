using System.Text;

namespace Pkce;

/// <summary>
/// One user's flow as the seed's per-user storage keeps it (<c>make_user_secrets</c> returned the first three):
/// plain strings, because they make a round trip through the application's own store and are checked again by
/// their types' rules when they come back. Deconstructs like the seed's tuple:
/// <c>var (state, verifier, challenge) = ...</c>. Prints without the verifier.
/// </summary>
/// <param name="User">The user the secrets were made for (the core's user key), compared again when they come back.</param>
/// <param name="State">The state sent in the authorization URL.</param>
/// <param name="CodeVerifier">The PKCE verifier (secret).</param>
/// <param name="CodeChallenge">Its S256 challenge, as sent.</param>
/// <param name="ExpiresAt">After this instant a callback for this state is refused; a store may forget the row then.</param>
public sealed record UserSecrets(string User, string State, string CodeVerifier, string CodeChallenge, DateTimeOffset ExpiresAt)
{
    /// <summary>The secrets of a pending authorization, as the application stores them.</summary>
    public static UserSecrets Of(PendingAuthorization pending) =>
        new(pending.User.Value, pending.State.Value, pending.Verifier.Value, pending.Challenge.Value, pending.ExpiresAt);

    /// <summary>The seed's <c>state, verifier, challenge = manager.make_user_secrets(user)</c>.</summary>
    public void Deconstruct(out string state, out string codeVerifier, out string codeChallenge) =>
        (state, codeVerifier, codeChallenge) = (State, CodeVerifier, CodeChallenge);

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"User = {User}, State = {State}, CodeVerifier = {Redaction.Mark}, CodeChallenge = {CodeChallenge}, ExpiresAt = {ExpiresAt:O}");
        return true;
    }
}
