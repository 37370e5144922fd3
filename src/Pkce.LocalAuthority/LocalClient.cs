using System.Text;

namespace Pkce.LocalAuthority;

/// <summary>How a registered client authenticates at the token endpoint.</summary>
public enum LocalClientKind
{
    /// <summary>A public client: no secret (RFC 6749 §2.1).</summary>
    Public,

    /// <summary>A confidential client meant to use HTTP Basic (<c>client_secret_basic</c>).</summary>
    ConfidentialBasic,

    /// <summary>A confidential client meant to use the form body (<c>client_secret_post</c>).</summary>
    ConfidentialPost,

    /// <summary>A confidential client (<c>client_secret_basic</c>) that may only use pushed authorization requests (RFC 9126).</summary>
    PushedOnly,
}

/// <summary>A client registered with the local authority. Prints without its secret, like every record holding one.</summary>
/// <param name="ClientId">Its id.</param>
/// <param name="ClientSecret">Its secret, for confidential clients (development values, not secrets of anyone's).</param>
/// <param name="Kind">How it authenticates.</param>
/// <param name="RedirectUris">The redirect URIs it may use.</param>
public sealed record LocalClient(string ClientId, string? ClientSecret, LocalClientKind Kind, IReadOnlyList<string> RedirectUris)
{
    // The text Pkce.Redaction.Mark stands for; the authority does not depend on the client library.
    private const string Redacted = "[redacted]";

    // Records print every property; the secret must not be one of them (Program.cs shows it on purpose, by name).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"ClientId = {ClientId}, ClientSecret = {(ClientSecret is null ? "" : Redacted)}, Kind = {Kind}, ");
        builder.Append($"RedirectUris = [{string.Join(", ", RedirectUris ?? [])}]");
        return true;
    }
}
