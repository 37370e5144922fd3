using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Reads and checks the authorization response at the redirect URI.</summary>
public static class Callback
{
    /// <summary>
    /// Reads a callback given as a full URL, a query string (with or without <c>?</c>), or a URL whose parameters
    /// sit in the fragment. RFC 6749 §3.1: parameters "MUST NOT be included more than once" (refused, so a
    /// second <c>state</c> or <c>code</c> cannot be smuggled in). An <c>error</c> parameter makes a
    /// <see cref="AuthorizationResponse.Refused"/>; otherwise <c>code</c> is required.
    /// </summary>
    public static Either<PkceError, AuthorizationResponse> Parse(string callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return from parameters in QueryString.ParseUnique(QueryOf(callback))
               from state in StateOf(parameters)
               from response in ResponseOf(parameters, state)
               select response;
    }

    /// <summary>
    /// Reads a callback whose parameters the caller already extracted (the seed's <c>fetch_access_token(user,
    /// state, code)</c>), with the same rules as <see cref="Parse(string)"/>: no state is
    /// <see cref="PkceError.StateMissing"/>, no code is a <see cref="PkceError.MalformedCallback"/>.
    /// </summary>
    public static Either<PkceError, AuthorizationResponse> FromParts(Option<string> state, Option<string> code, Option<string> issuer)
    {
        var parameters = toHashMap(
            Seq((WireNames.State, state), (WireNames.Code, code), (WireNames.Issuer, issuer))
                .Choose(p => p.Item2.Map(value => (p.Item1, value))));
        return StateOf(parameters).Bind(s => ResponseOf(parameters, s));
    }

    /// <summary>
    /// Whether <paramref name="callback"/> (a URL or query, as for <see cref="Parse(string)"/>) carries exactly one
    /// <c>state</c> and it equals <paramref name="expected"/>, compared in constant time. A listener that waits for
    /// one flow's callback uses it so that a stray or cross-site request cannot decide the flow: only the browser
    /// coming back from the authorization server knows the state.
    /// </summary>
    public static bool CarriesState(string callback, State expected)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return QueryString.ParseUnique(QueryOf(callback)).Match(
            parameters => parameters.Find(WireNames.State).Match(
                value => State.From(value).Match(state => state.FixedTimeEquals(expected), _ => false),
                () => false),
            _ => false);
    }

    /// <summary>
    /// Checks a parsed callback against the pending authorization taken for its state, for
    /// <paramref name="user"/>, at <paramref name="now"/>:
    /// the state matches in constant time (RFC 6749 §10.12); the flow belongs to the user completing it; it has
    /// not expired; RFC 9207 §2.4 "clients MUST compare the issuer identifier ... and MUST reject the response if
    /// the values do not match", and a missing <c>iss</c> is refused when the server always sends one.
    /// A verified refusal becomes <see cref="PkceError.AuthorizationDenied"/>; a verified code becomes the
    /// <see cref="VerifiedCallback"/> that <see cref="Token.Exchange(PkceConfig, Dependencies, VerifiedCallback, CancellationToken)"/> redeems.
    /// </summary>
    public static Either<PkceError, VerifiedCallback> Verify(AuthorizationResponse response, PendingAuthorization pending, UserKey user, DateTimeOffset now) =>
        from _1 in guard(response.State.FixedTimeEquals(pending.State), (PkceError)new PkceError.StateMismatch()).ToEither()
        from _2 in guard(pending.User == user, (PkceError)new PkceError.WrongUser()).ToEither()
        from _3 in guard(!pending.IsExpiredAt(now), (PkceError)new PkceError.StateExpired(pending.ExpiresAt)).ToEither()
        from _4 in CheckIssuer(response.Issuer, pending)
        from verified in response switch
        {
            AuthorizationResponse.Granted g => Right<PkceError, VerifiedCallback>(new VerifiedCallback(g.Code, pending)),
            AuthorizationResponse.Refused r => Left<PkceError, VerifiedCallback>(new PkceError.AuthorizationDenied(r.Error, r.ErrorDescription, r.ErrorUri)),
            // AuthorizationResponse has a private constructor: Granted and Refused are its only cases.
            _ => throw new System.Diagnostics.UnreachableException(),
        }
        select verified;

    private static Either<PkceError, Unit> CheckIssuer(Option<string> actual, PendingAuthorization pending) =>
        pending.ExpectedIssuer.Match(
            expected => actual.Match(
                a => string.Equals(a, expected, StringComparison.Ordinal)
                    ? Right<PkceError, Unit>(unit)
                    : Left<PkceError, Unit>(new PkceError.IssuerMismatch(expected, a)),
                () => pending.IssuerRequired
                    ? Left<PkceError, Unit>(new PkceError.IssuerMissing(expected))
                    : Right<PkceError, Unit>(unit)),
            // Without an expected issuer there is nothing to compare with (RFC 9207 §2.4 needs the issuer known).
            () => Right<PkceError, Unit>(unit));

    private static string QueryOf(string callback)
    {
        var question = callback.IndexOf('?');
        var hash = callback.IndexOf('#');
        return question >= 0 ? callback[(question + 1)..(hash > question ? hash : callback.Length)]
            : hash >= 0 ? callback[(hash + 1)..]
            : callback.Contains('=') ? callback
            : "";
    }

    private static Either<PkceError, State> StateOf(HashMap<string, string> parameters) =>
        parameters.Find(WireNames.State).Match(
            value => State.From(value).MapLeft(e => (PkceError)new PkceError.MalformedCallback("state: " + e.Message)),
            () => new PkceError.StateMissing());

    private static Either<PkceError, AuthorizationResponse> ResponseOf(HashMap<string, string> parameters, State state)
    {
        var issuer = parameters.Find(WireNames.Issuer);
        return parameters.Find(WireNames.Error).Match(
            error => Right<PkceError, AuthorizationResponse>(new AuthorizationResponse.Refused(
                error, parameters.Find(WireNames.ErrorDescription), parameters.Find(WireNames.ErrorUri), state, issuer)),
            () => parameters.Find(WireNames.Code).Match(
                code => AuthorizationCode.From(code)
                    .MapLeft(e => (PkceError)new PkceError.MalformedCallback("code: " + e.Message))
                    .Map(c => (AuthorizationResponse)new AuthorizationResponse.Granted(c, state, issuer)),
                () => new PkceError.MalformedCallback("the callback has neither code nor error")));
    }
}
