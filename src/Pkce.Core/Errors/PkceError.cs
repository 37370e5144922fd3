using LanguageExt;

namespace Pkce;

/// <summary>
/// Every way the authorization code flow can fail, as one closed union. Each case has a stable
/// <see cref="Code"/> that callers may switch on and log; no case ever carries a secret (client secret,
/// code verifier, authorization code or token), so <c>ToString()</c> is always safe to log.
/// </summary>
public abstract record PkceError
{
    // Closed: only the nested cases below can derive.
    private PkceError() { }

    /// <summary>A stable, machine-readable identifier of the case.</summary>
    public abstract string Code { get; }

    /// <summary>A one-line explanation for a human.</summary>
    public abstract string Message { get; }

    /// <summary>Configuration is incomplete or invalid; <see cref="Problems"/> lists every problem found.</summary>
    public sealed record InvalidConfiguration(Seq<string> Problems) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "invalid_configuration";
        /// <inheritdoc />
        public override string Message => "invalid configuration: " + string.Join("; ", Problems);
    }

    /// <summary>A value did not satisfy the rule of its type (for example a code verifier of 42 characters).</summary>
    public sealed record InvalidValue(string Kind, string Reason) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "invalid_value";
        /// <inheritdoc />
        public override string Message => $"invalid {Kind}: {Reason}";
    }

    /// <summary>The callback could not be read as an authorization response (RFC 6749 §4.1.2).</summary>
    public sealed record MalformedCallback(string Reason) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "malformed_callback";
        /// <inheritdoc />
        public override string Message => "malformed callback: " + Reason;
    }

    /// <summary>
    /// The authorization server redirected back with an error (RFC 6749 §4.1.2.1), for example
    /// <c>access_denied</c> when the user refused.
    /// </summary>
    public sealed record AuthorizationDenied(string Error, Option<string> ErrorDescription, Option<string> ErrorUri) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "authorization_denied";
        /// <inheritdoc />
        public override string Message => Describe("authorization server returned", Error, ErrorDescription);
    }

    /// <summary>The callback carried no <c>state</c>: it cannot be tied to a flow this client started.</summary>
    public sealed record StateMissing : PkceError
    {
        /// <inheritdoc />
        public override string Code => "state_missing";
        /// <inheritdoc />
        public override string Message => "the callback has no state parameter";
    }

    /// <summary>The callback's <c>state</c> is not the one stored for this flow (a forged or mixed-up callback).</summary>
    public sealed record StateMismatch : PkceError
    {
        /// <inheritdoc />
        public override string Code => "state_mismatch";
        /// <inheritdoc />
        public override string Message => "the callback's state does not match the stored state";
    }

    /// <summary>No pending authorization is known for the callback's <c>state</c> (never issued, or forgotten).</summary>
    public sealed record StateUnknown : PkceError
    {
        /// <inheritdoc />
        public override string Code => "state_unknown";
        /// <inheritdoc />
        public override string Message => "no pending authorization is known for this state";
    }

    /// <summary>The pending authorization for this <c>state</c> outlived its lifetime.</summary>
    public sealed record StateExpired(DateTimeOffset ExpiredAt) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "state_expired";
        /// <inheritdoc />
        public override string Message => $"the pending authorization expired at {ExpiredAt:O}";
    }

    /// <summary>The pending authorization for this <c>state</c> was already taken: the callback is a replay.</summary>
    public sealed record StateReplayed : PkceError
    {
        /// <inheritdoc />
        public override string Code => "state_replayed";
        /// <inheritdoc />
        public override string Message => "the pending authorization for this state was already used";
    }

    /// <summary>The callback's flow was started by another user or session than the one completing it.</summary>
    public sealed record WrongUser : PkceError
    {
        /// <inheritdoc />
        public override string Code => "wrong_user";
        /// <inheritdoc />
        public override string Message => "the pending authorization belongs to another user";
    }

    /// <summary>RFC 9207 §2.4: the callback's <c>iss</c> is not the expected issuer (a mix-up attack).</summary>
    public sealed record IssuerMismatch(string Expected, string Actual) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "issuer_mismatch";
        /// <inheritdoc />
        public override string Message => $"the callback's iss '{Actual}' is not the expected issuer '{Expected}'";
    }

    /// <summary>RFC 9207 §2.4: the server is known to send <c>iss</c>, and the callback has none.</summary>
    public sealed record IssuerMissing(string Expected) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "issuer_missing";
        /// <inheritdoc />
        public override string Message => $"the callback has no iss parameter, and '{Expected}' always sends one";
    }

    /// <summary>The token endpoint answered with an OAuth error response (RFC 6749 §5.2).</summary>
    public sealed record TokenEndpointError(int Status, string Error, Option<string> ErrorDescription, Option<string> ErrorUri) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "token_endpoint_error";
        /// <inheritdoc />
        public override string Message => Describe($"token endpoint answered {Status} with", Error, ErrorDescription);
    }

    /// <summary>
    /// The token endpoint answered something that is neither a token nor an OAuth error (an HTML page, a
    /// truncated body, a wrong content type). <see cref="BodyExcerpt"/> holds the start of the body for error
    /// statuses only: a 2xx body may hold a token and is never kept.
    /// </summary>
    public sealed record UnexpectedResponse(int Status, Option<string> ContentType, string Reason, Option<string> BodyExcerpt) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "unexpected_response";
        /// <inheritdoc />
        public override string Message => $"token endpoint answered {Status}: {Reason}";
    }

    /// <summary>The token endpoint could not be reached or the connection failed before an answer.</summary>
    public sealed record TransportFailure(string Reason) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "transport_failure";
        /// <inheritdoc />
        public override string Message => "could not reach the token endpoint: " + Reason;
    }

    /// <summary>The token endpoint did not answer within the configured timeout. The code is spent either way.</summary>
    public sealed record Timeout(TimeSpan After) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "timeout";
        /// <inheritdoc />
        public override string Message => $"the token endpoint did not answer within {After.TotalSeconds:0.###} s";
    }

    /// <summary>A store of pending authorizations failed (unreachable, unwritable, corrupt).</summary>
    public sealed record StoreFailure(string Reason) : PkceError
    {
        /// <inheritdoc />
        public override string Code => "store_failure";
        /// <inheritdoc />
        public override string Message => "the pending-authorization store failed: " + Reason;
    }

    private static string Describe(string prefix, string error, Option<string> description) =>
        description.Match(d => $"{prefix} '{error}': {d}", () => $"{prefix} '{error}'");

    /// <summary>The code and message, for logs.</summary>
    public override string ToString() => $"{Code}: {Message}";
}
