namespace Pkce.Facade;

/// <summary>
/// What the seed's <c>make_user_secrets</c> returned, deconstructible the same way:
/// <c>var (state, verifier, challenge) = await manager.MakeUserSecretsAsync(user);</c>. Prints without the verifier.
/// </summary>
/// <param name="State">The state to send and check.</param>
/// <param name="CodeVerifier">The PKCE verifier (secret).</param>
/// <param name="CodeChallenge">Its S256 challenge.</param>
public sealed record UserSecrets(string State, string CodeVerifier, string CodeChallenge)
{
    internal UserSecrets(FlowSecrets secrets) : this(secrets.State.Value, secrets.Verifier.Value, secrets.Challenge.Value) { }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"State = {State}, CodeVerifier = {Redaction.Mark}, CodeChallenge = {CodeChallenge}");
        return true;
    }
}
