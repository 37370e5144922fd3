namespace Pkce.FSharp

open System
open Pkce

/// <summary>
/// Every way a flow can fail, as an F# union: one case per case of the core's closed union <c>PkceError</c>, with the
/// same name and the same fields (LanguageExt options as F# options, sequences as lists), so that an F# caller can
/// match every case and the compiler tells when one is left out. Server text is kept as received in the fields;
/// <see cref="P:Pkce.FSharp.PkceFailure.Message"/>, <c>ToString()</c> and <c>%A</c> show it escaped, like the core.
/// </summary>
[<StructuredFormatDisplay("{Code}: {Message}")>]
type PkceFailure =
    /// Configuration is incomplete or invalid; every problem found is listed.
    | InvalidConfiguration of problems: string list
    /// An argument did not satisfy the rule of its type (an empty user key, a reserved extra parameter).
    | InvalidValue of kind: string * reason: string
    /// The callback could not be read as an authorization response (RFC 6749 §4.1.2).
    | MalformedCallback of reason: string
    /// The authorization server redirected back with an error (RFC 6749 §4.1.2.1), e.g. access_denied.
    | AuthorizationDenied of error: string * errorDescription: string option * errorUri: string option
    /// The callback carried no state.
    | StateMissing
    /// The callback's state is not the one stored for this flow.
    | StateMismatch
    /// No pending authorization is known for the callback's state.
    | StateUnknown
    /// The pending authorization for this state outlived its lifetime.
    | StateExpired of expiredAt: DateTimeOffset
    /// The pending authorization for this state was already taken: the callback is a replay.
    | StateReplayed
    /// The callback's flow was started by another user or session.
    | WrongUser
    /// RFC 9207 §2.4: the callback's iss is not the expected issuer.
    | IssuerMismatch of expected: string * actual: string
    /// RFC 9207 §2.4: the callback has no iss, and the server always sends one.
    | IssuerMissing of expected: string
    /// An endpoint answered with an OAuth error response (RFC 6749 §5.2), e.g. invalid_grant.
    | EndpointError of endpoint: string * status: int * error: string * errorDescription: string option * errorUri: string option
    /// An endpoint answered neither what was asked for nor an OAuth error (an HTML page, a truncated body).
    | UnexpectedResponse of endpoint: string * status: int * contentType: string option * reason: string * bodyExcerpt: string option
    /// RFC 6749 §7.1: the token endpoint issued a token of a type other than Bearer, or of no stated type.
    | UnsupportedTokenType of tokenType: string option
    /// The token endpoint answered the other known token type (Bearer to a DPoP request, or DPoP to a bearer one).
    | TokenTypeMismatch of expected: string * actual: string
    /// An endpoint redirected the request elsewhere; requests are never sent on.
    | RedirectRefused of endpoint: string * location: string option
    /// An endpoint could not be reached, or the connection failed before an answer.
    | TransportFailure of endpoint: string * reason: string
    /// An endpoint did not answer within the configured timeout.
    | Timeout of endpoint: string * after: TimeSpan
    /// The authorization server's metadata (RFC 8414) cannot be used.
    | InvalidMetadata of issuer: string * reason: string
    /// No valid access token can be had without the user signing in again.
    | LoginRequired of reason: string
    /// A store failed (unreachable, unwritable, corrupt).
    | StoreFailure of reason: string

    /// The core's error for this failure: the inverse of <c>PkceFailure.ofError</c>.
    member failure.ToError() : PkceError =
        match failure with
        | InvalidConfiguration problems -> PkceError.InvalidConfiguration(Interop.coreSeq problems)
        | InvalidValue(kind, reason) -> PkceError.InvalidValue(kind, reason)
        | MalformedCallback reason -> PkceError.MalformedCallback(reason)
        | AuthorizationDenied(error, description, uri) ->
            PkceError.AuthorizationDenied(error, Interop.coreOption description, Interop.coreOption uri)
        | StateMissing -> PkceError.StateMissing()
        | StateMismatch -> PkceError.StateMismatch()
        | StateUnknown -> PkceError.StateUnknown()
        | StateExpired expiredAt -> PkceError.StateExpired(expiredAt)
        | StateReplayed -> PkceError.StateReplayed()
        | WrongUser -> PkceError.WrongUser()
        | IssuerMismatch(expected, actual) -> PkceError.IssuerMismatch(expected, actual)
        | IssuerMissing expected -> PkceError.IssuerMissing(expected)
        | EndpointError(endpoint, status, error, description, uri) ->
            PkceError.EndpointError(endpoint, status, error, Interop.coreOption description, Interop.coreOption uri)
        | UnexpectedResponse(endpoint, status, contentType, reason, excerpt) ->
            PkceError.UnexpectedResponse(endpoint, status, Interop.coreOption contentType, reason, Interop.coreOption excerpt)
        | UnsupportedTokenType tokenType -> PkceError.UnsupportedTokenType(Interop.coreOption tokenType)
        | TokenTypeMismatch(expected, actual) -> PkceError.TokenTypeMismatch(expected, actual)
        | RedirectRefused(endpoint, location) -> PkceError.RedirectRefused(endpoint, Interop.coreOption location)
        | TransportFailure(endpoint, reason) -> PkceError.TransportFailure(endpoint, reason)
        | Timeout(endpoint, after) -> PkceError.Timeout(endpoint, after)
        | InvalidMetadata(issuer, reason) -> PkceError.InvalidMetadata(issuer, reason)
        | LoginRequired reason -> PkceError.LoginRequired(reason)
        | StoreFailure reason -> PkceError.StoreFailure(reason)

    /// The stable, machine-readable code of the case (the core's <c>PkceError.Code</c>, e.g. <c>state_unknown</c>).
    member failure.Code: string = failure.ToError().Code

    /// One line for a human, with every server text made printable (the core's <c>PkceError.Message</c>).
    member failure.Message: string = failure.ToError().Message

    /// The code and message, as the core prints its errors: safe to log.
    override failure.ToString() = $"{failure.Code}: {failure.Message}"

/// Conversions between the core's <c>PkceError</c> and <see cref="T:Pkce.FSharp.PkceFailure"/>, and their texts.
module PkceFailure =
    /// <summary>
    /// The F# case of a core error. Complete over the core's cases (a test walks them all); a case added to the core
    /// and not here is a programmer error, reported as an <see cref="T:System.ArgumentException"/>.
    /// </summary>
    let ofError (error: PkceError) : PkceFailure =
        match error with
        | :? PkceError.InvalidConfiguration as e -> InvalidConfiguration(List.ofSeq e.Problems)
        | :? PkceError.InvalidValue as e -> InvalidValue(e.Kind, e.Reason)
        | :? PkceError.MalformedCallback as e -> MalformedCallback e.Reason
        | :? PkceError.AuthorizationDenied as e ->
            AuthorizationDenied(e.Error, Interop.option e.ErrorDescription, Interop.option e.ErrorUri)
        | :? PkceError.StateMissing -> StateMissing
        | :? PkceError.StateMismatch -> StateMismatch
        | :? PkceError.StateUnknown -> StateUnknown
        | :? PkceError.StateExpired as e -> StateExpired e.ExpiredAt
        | :? PkceError.StateReplayed -> StateReplayed
        | :? PkceError.WrongUser -> WrongUser
        | :? PkceError.IssuerMismatch as e -> IssuerMismatch(e.Expected, e.Actual)
        | :? PkceError.IssuerMissing as e -> IssuerMissing e.Expected
        | :? PkceError.EndpointError as e ->
            EndpointError(e.Endpoint, e.Status, e.Error, Interop.option e.ErrorDescription, Interop.option e.ErrorUri)
        | :? PkceError.UnexpectedResponse as e ->
            UnexpectedResponse(e.Endpoint, e.Status, Interop.option e.ContentType, e.Reason, Interop.option e.BodyExcerpt)
        | :? PkceError.UnsupportedTokenType as e -> UnsupportedTokenType(Interop.option e.TokenType)
        | :? PkceError.TokenTypeMismatch as e -> TokenTypeMismatch(e.Expected, e.Actual)
        | :? PkceError.RedirectRefused as e -> RedirectRefused(e.Endpoint, Interop.option e.Location)
        | :? PkceError.TransportFailure as e -> TransportFailure(e.Endpoint, e.Reason)
        | :? PkceError.Timeout as e -> Timeout(e.Endpoint, e.After)
        | :? PkceError.InvalidMetadata as e -> InvalidMetadata(e.Issuer, e.Reason)
        | :? PkceError.LoginRequired as e -> LoginRequired e.Reason
        | :? PkceError.StoreFailure as e -> StoreFailure e.Reason
        | other -> invalidArg (nameof error) $"PkceFailure has no case for {other.GetType().Name}"

    /// The core's error for a failure (what a store port built by <c>Stores</c> hands back to the core).
    let toError (failure: PkceFailure) : PkceError = failure.ToError()

    /// The stable code of the failure, e.g. <c>state_unknown</c>.
    let code (failure: PkceFailure) : string = failure.Code

    /// One printable line for a human.
    let message (failure: PkceFailure) : string = failure.Message
