namespace Pkce.Properties;

/// <summary>
/// Each case of <see cref="PkceError"/> prints its stable code and its one-line message, server text escaped: the
/// known answers below pin both, so a changed code (which programs match on) or message is a visible change.
/// </summary>
public class PkceErrorProperties
{
    private const string Bell = "x\u0007";

    public static TheoryData<PkceError, string> Cases => new()
    {
        { new PkceError.InvalidConfiguration(Seq("a", "b")), "invalid_configuration: invalid configuration: a; b" },
        { new PkceError.InvalidValue("verifier", "too short"), "invalid_value: invalid verifier: too short" },
        { new PkceError.MalformedCallback("no query"), "malformed_callback: malformed callback: no query" },
        { new PkceError.AuthorizationDenied("access_denied", None, None), "authorization_denied: authorization server returned 'access_denied'" },
        { new PkceError.AuthorizationDenied(Bell, Some(Bell), None), "authorization_denied: authorization server returned 'x\\u0007': x\\u0007" },
        { new PkceError.StateMissing(), "state_missing: the callback has no state parameter" },
        { new PkceError.StateMismatch(), "state_mismatch: the callback's state does not match the stored state" },
        { new PkceError.StateUnknown(), "state_unknown: no pending authorization is known for this state" },
        { new PkceError.StateExpired(DateTimeOffset.UnixEpoch), "state_expired: the pending authorization expired at 1970-01-01T00:00:00.0000000+00:00" },
        { new PkceError.StateReplayed(), "state_replayed: the pending authorization for this state was already used" },
        { new PkceError.WrongUser(), "wrong_user: the pending authorization belongs to another user" },
        { new PkceError.IssuerMismatch("https://a", Bell), "issuer_mismatch: the callback's iss 'x\\u0007' is not the expected issuer 'https://a'" },
        { new PkceError.IssuerMissing(Bell), "issuer_missing: the callback has no iss parameter, and 'x\\u0007' always sends one" },
        { new PkceError.EndpointError("token endpoint", 400, "invalid_grant", Some("d"), None), "endpoint_error: token endpoint answered 400 with 'invalid_grant': d" },
        { new PkceError.UnexpectedResponse("token endpoint", 502, None, Bell, None), "unexpected_response: token endpoint answered 502: x\\u0007" },
        { new PkceError.UnsupportedTokenType(Some(Bell)), "unsupported_token_type: the token endpoint issued a token of type 'x\\u0007', which this client does not understand (RFC 6749 §7.1)" },
        { new PkceError.UnsupportedTokenType(None), "unsupported_token_type: the token endpoint's answer has no token_type (RFC 6749 §5.1 requires it)" },
        { new PkceError.TokenTypeMismatch("DPoP", Bell), "token_type_mismatch: the token endpoint issued a token of type 'x\\u0007' to a request for a DPoP token" },
        { new PkceError.RedirectRefused("token endpoint", Some(Bell)), "redirect_refused: the token endpoint redirected to 'x\\u0007'; requests are never sent on to another address" },
        { new PkceError.RedirectRefused("token endpoint", None), "redirect_refused: the token endpoint redirected to '(no location)'; requests are never sent on to another address" },
        { new PkceError.TransportFailure("token endpoint", Bell), "transport_failure: could not reach the token endpoint: x\\u0007" },
        { new PkceError.Timeout("token endpoint", TimeSpan.FromMilliseconds(1500)), "timeout: the token endpoint did not answer within 1.5 s" },
        { new PkceError.InvalidMetadata(Bell, "no S256"), "invalid_metadata: the metadata of 'x\\u0007' cannot be used: no S256" },
        { new PkceError.LoginRequired("expired"), "login_required: the user must sign in again: expired" },
        { new PkceError.StoreFailure(Bell), "store_failure: the store failed: x\\u0007" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EachCasePrintsItsCodeAndMessage(PkceError error, string printed)
    {
        Assert.Equal(printed, error.ToString());
        Assert.Equal(printed, $"{error.Code}: {error.Message}");
    }

    [Fact]
    public void CodesAreDistinct() =>
        Assert.Equal(Cases.Count(row => true) - 3, Cases.Select(row => ((PkceError)row[0]).Code).Distinct().Count());
}
