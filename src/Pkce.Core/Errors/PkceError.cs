using LanguageExt;

namespace Pkce;

/// <summary>
/// Every way the authorization code flow can fail, as one closed union. Each case passes a stable
/// <see cref="Code"/> and a one-line <see cref="Message"/> to this base record; no case ever carries a secret
/// (client secret, code verifier, authorization code or token), and every text that came from a server is shown
/// through <see cref="ServerText.Printable"/>, so <c>ToString()</c> and <see cref="Message"/> are always safe to log
/// or print. The members of a case keep the server's values as received, for programs to compare.
/// </summary>
public abstract record PkceError
{
    // Closed: only the nested cases below can derive.
    private PkceError(string code, string message) => (Code, Message) = (code, message);

    /// <summary>A stable, machine-readable identifier of the case.</summary>
    public string Code { get; }

    /// <summary>A one-line explanation for a human, with every server text made printable.</summary>
    public string Message { get; }

    /// <summary>The code and message, for logs. Sealed: no case prints its members.</summary>
    public sealed override string ToString() => $"{Code}: {Message}";

    /// <summary>Configuration is incomplete or invalid; <see cref="Problems"/> lists every problem found.</summary>
    public sealed record InvalidConfiguration(Seq<string> Problems)
        : PkceError("invalid_configuration", "invalid configuration: " + string.Join("; ", Problems));

    /// <summary>
    /// An argument did not satisfy the rule of its type (a code verifier of 42 characters, an empty user key, an
    /// extra parameter that names a reserved one).
    /// </summary>
    public sealed record InvalidValue(string Kind, string Reason) : PkceError("invalid_value", $"invalid {Kind}: {Reason}");

    /// <summary>The callback could not be read as an authorization response (RFC 6749 §4.1.2).</summary>
    public sealed record MalformedCallback(string Reason) : PkceError("malformed_callback", "malformed callback: " + Reason);

    /// <summary>
    /// The authorization server redirected back with an error (RFC 6749 §4.1.2.1), for example
    /// <c>access_denied</c> when the user refused.
    /// </summary>
    public sealed record AuthorizationDenied(string Error, Option<string> ErrorDescription, Option<string> ErrorUri)
        : PkceError("authorization_denied", Describe("authorization server returned", Error, ErrorDescription));

    /// <summary>The callback carried no <c>state</c>: it cannot be tied to a flow this client started.</summary>
    public sealed record StateMissing() : PkceError("state_missing", "the callback has no state parameter");

    /// <summary>The callback's <c>state</c> is not the one stored for this flow (a forged or mixed-up callback).</summary>
    public sealed record StateMismatch() : PkceError("state_mismatch", "the callback's state does not match the stored state");

    /// <summary>No pending authorization is known for the callback's <c>state</c> (never issued, already used, or forgotten).</summary>
    public sealed record StateUnknown() : PkceError("state_unknown", "no pending authorization is known for this state");

    /// <summary>The pending authorization for this <c>state</c> outlived its lifetime.</summary>
    public sealed record StateExpired(DateTimeOffset ExpiredAt) : PkceError("state_expired", $"the pending authorization expired at {ExpiredAt:O}");

    /// <summary>The pending authorization for this <c>state</c> was already taken: the callback is a replay.</summary>
    public sealed record StateReplayed() : PkceError("state_replayed", "the pending authorization for this state was already used");

    /// <summary>The callback's flow was started by another user or session than the one completing it.</summary>
    public sealed record WrongUser() : PkceError("wrong_user", "the pending authorization belongs to another user");

    /// <summary>RFC 9207 §2.4: the callback's <c>iss</c> is not the expected issuer (a mix-up attack).</summary>
    public sealed record IssuerMismatch(string Expected, string Actual)
        : PkceError("issuer_mismatch", $"the callback's iss '{ServerText.Printable(Actual)}' is not the expected issuer '{ServerText.Printable(Expected)}'");

    /// <summary>RFC 9207 §2.4: the callback has no <c>iss</c>, and one is required (the server always sends it).</summary>
    public sealed record IssuerMissing(string Expected)
        : PkceError("issuer_missing", $"the callback has no iss parameter, and '{ServerText.Printable(Expected)}' always sends one");

    /// <summary>
    /// An endpoint of the authorization server (<see cref="Endpoint"/> names which: token, pushed authorization
    /// request, revocation) answered with an OAuth error response (RFC 6749 §5.2), e.g. <c>invalid_grant</c>.
    /// </summary>
    public sealed record EndpointError(string Endpoint, int Status, string Error, Option<string> ErrorDescription, Option<string> ErrorUri)
        : PkceError("endpoint_error", Describe($"{Endpoint} answered {Status} with", Error, ErrorDescription));

    /// <summary>
    /// An endpoint answered something that is neither what was asked for nor an OAuth error (an HTML page, a
    /// truncated body, a wrong content type). <see cref="Reason"/> may quote the server (its content type) as
    /// received; <see cref="Message"/> shows it escaped. <see cref="BodyExcerpt"/> holds the start of the body for
    /// error statuses only, already made printable: a 2xx body may hold a token and is never kept.
    /// </summary>
    public sealed record UnexpectedResponse(string Endpoint, int Status, Option<string> ContentType, string Reason, Option<string> BodyExcerpt)
        : PkceError("unexpected_response", $"{Endpoint} answered {Status}: {ServerText.Printable(Reason)}");

    /// <summary>
    /// RFC 6749 §7.1: "The client MUST NOT use an access token if it does not understand the token type." The
    /// token endpoint issued a token of another type than <c>Bearer</c>, or did not say its type (§5.1: REQUIRED).
    /// </summary>
    public sealed record UnsupportedTokenType(Option<string> TokenType)
        : PkceError("unsupported_token_type", TokenType.Match(
            t => $"the token endpoint issued a token of type '{ServerText.Printable(t)}', which this client does not understand (RFC 6749 §7.1)",
            () => "the token endpoint's answer has no token_type (RFC 6749 §5.1 requires it)"));

    /// <summary>
    /// The token endpoint answered a token of the other known type: <c>Bearer</c> to a request with a DPoP proof
    /// (the server ignored the binding; RFC 9449 §5 issues <c>DPoP</c>), or <c>DPoP</c> to one without.
    /// </summary>
    public sealed record TokenTypeMismatch(string Expected, string Actual)
        : PkceError("token_type_mismatch", $"the token endpoint issued a token of type '{ServerText.Printable(Actual)}' to a request for a {Expected} token");

    /// <summary>
    /// An endpoint redirected the request elsewhere. The code, the verifier, a refresh token and any client secret
    /// go to the configured endpoint only (a 307 would re-post them to the other address), and no answer from
    /// another address is accepted: the request was not sent there, or its answer was discarded.
    /// </summary>
    public sealed record RedirectRefused(string Endpoint, Option<string> Location)
        : PkceError("redirect_refused", $"the {Endpoint} redirected to '{ServerText.Printable(Location.IfNone("(no location)"))}'; requests are never sent on to another address");

    /// <summary>An endpoint could not be reached or the connection failed before an answer.</summary>
    public sealed record TransportFailure(string Endpoint, string Reason)
        : PkceError("transport_failure", $"could not reach the {Endpoint}: " + ServerText.Printable(Reason));

    /// <summary>An endpoint did not answer within the configured timeout. An authorization code is spent either way.</summary>
    public sealed record Timeout(string Endpoint, TimeSpan After) : PkceError("timeout", $"the {Endpoint} did not answer within {After.TotalSeconds:0.###} s");

    /// <summary>
    /// The authorization server's metadata (RFC 8414) cannot be used: its issuer is not the one asked for, an
    /// endpoint is missing or not https, S256 is not supported, or the document is malformed.
    /// </summary>
    public sealed record InvalidMetadata(string Issuer, string Reason)
        : PkceError("invalid_metadata", $"the metadata of '{ServerText.Printable(Issuer)}' cannot be used: {Reason}");

    /// <summary>
    /// No valid access token can be had without the user signing in again: none was stored, it has no refresh
    /// token, or the server refused the refresh token (<c>invalid_grant</c>: expired, revoked, or reused).
    /// </summary>
    public sealed record LoginRequired(string Reason) : PkceError("login_required", "the user must sign in again: " + Reason);

    /// <summary>A store (of pending authorizations or of tokens) failed: unreachable, unwritable, corrupt.</summary>
    public sealed record StoreFailure(string Reason)
        : PkceError("store_failure", "the store failed: " + ServerText.Printable(Reason));

    private static string Describe(string prefix, string error, Option<string> description) =>
        description.Match(
            d => $"{prefix} '{ServerText.Printable(error)}': {ServerText.Printable(d)}",
            () => $"{prefix} '{ServerText.Printable(error)}'");
}
