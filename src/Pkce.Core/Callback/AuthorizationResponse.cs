using LanguageExt;

namespace Pkce;

/// <summary>
/// A callback as read by <see cref="Callback.Parse(string)"/>, before any check: either a code (RFC 6749 §4.1.2)
/// or an error (§4.1.2.1). Both carry the state and, from servers implementing RFC 9207, the issuer.
/// </summary>
public abstract record AuthorizationResponse
{
    private AuthorizationResponse(State state, Option<string> issuer) => (State, Issuer) = (state, issuer);

    /// <summary>The callback's <c>state</c>.</summary>
    public State State { get; }

    /// <summary>The callback's <c>iss</c> (RFC 9207 §2), if sent.</summary>
    public Option<string> Issuer { get; }

    /// <summary>Prints the state and the issuer, which came in the callback: shown through <see cref="ServerText.Printable"/>.</summary>
    protected virtual bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"State = {State}, Issuer = {Issuer.Map(ServerText.Printable)}");
        return true;
    }

    /// <summary>The server granted a code.</summary>
    /// <param name="Code">The authorization code (secret).</param>
    /// <param name="State">The callback's state.</param>
    /// <param name="Issuer">The callback's iss, if sent.</param>
    public sealed record Granted(AuthorizationCode Code, State State, Option<string> Issuer) : AuthorizationResponse(State, Issuer);

    /// <summary>The server refused (RFC 6749 §4.1.2.1).</summary>
    /// <param name="Error">The error code, e.g. <c>access_denied</c>.</param>
    /// <param name="ErrorDescription">Human-readable text from the server.</param>
    /// <param name="ErrorUri">A page about the error.</param>
    /// <param name="State">The callback's state.</param>
    /// <param name="Issuer">The callback's iss, if sent.</param>
    public sealed record Refused(string Error, Option<string> ErrorDescription, Option<string> ErrorUri, State State, Option<string> Issuer)
        : AuthorizationResponse(State, Issuer)
    {
        /// <summary>Prints every member; error, description and URI are the server's text, shown through <see cref="ServerText.Printable"/>.</summary>
        protected override bool PrintMembers(System.Text.StringBuilder builder)
        {
            base.PrintMembers(builder);
            builder.Append($", Error = {ServerText.Printable(Error)}, ErrorDescription = {ErrorDescription.Map(ServerText.Printable)}, ");
            builder.Append($"ErrorUri = {ErrorUri.Map(ServerText.Printable)}");
            return true;
        }
    }
}
