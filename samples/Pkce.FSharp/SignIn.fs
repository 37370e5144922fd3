/// The whole authorization code + PKCE flow from F#, through the F# face: functions, Result and task { }.
module Pkce.FSharp.SignIn

open System
open System.Collections.Concurrent
open System.Threading
open System.Threading.Tasks
open Pkce
open Pkce.FSharp

/// Validates settings; every problem is in the error, as a list.
let configure (authorizationEndpoint: Uri) (tokenEndpoint: Uri) (issuer: Uri) (clientId: string) (redirectUri: string) : Result<PkceConfig, string list> =
    PkceSettings(
        ClientId = clientId,
        RedirectUri = redirectUri,
        Scope = "api offline_access",
        AuthorizationEndpoint = authorizationEndpoint.AbsoluteUri,
        TokenEndpoint = tokenEndpoint.AbsoluteUri,
        ExpectedIssuer = issuer.AbsoluteUri)
    |> Config.validate
    |> Result.mapError (function
        | InvalidConfiguration problems -> problems
        | failure -> [ PkceFailure.message failure ])

// README:fsharp-store
/// Pending authorizations kept by two plain F# functions, here over a dictionary (a table or a cache alike).
/// Taking removes the entry, so a state is redeemed once; the core refuses an expired one.
let dictionaryStore (rows: ConcurrentDictionary<string, PendingAuthorization>) : PendingStore =
    Stores.pending
        (fun pending _ ->
            Task.FromResult(if rows.TryAdd(pending.State.Value, pending) then Ok() else Error(StoreFailure "state already stored")))
        (fun state _ ->
            Task.FromResult(
                match rows.TryRemove state.Value with
                | true, pending -> Ok pending
                | false, _ -> Error StateUnknown))
// README:end

// README:fsharp-run
/// Starts a flow for the user, sends the URL to `browser` (which returns the callback URL), completes the flow.
let run (deps: Dependencies) (config: PkceConfig) (store: PendingStore) (browser: string -> Task<string>) (user: string)
    : Task<Result<TokenResponse, PkceFailure>> =
    taskResult {
        let! key = UserKey.from user
        let! started = Flow.start deps config store key [ "login_hint", user ] CancellationToken.None
        let! callback = browser started.AuthorizationUrl
        return! Flow.complete deps config store key callback CancellationToken.None
    }
// README:end

// README:fsharp-failures
/// What to tell the user. The match names every case: a case added to PkceFailure fails this build.
let explain (failure: PkceFailure) : string =
    match failure with
    | AuthorizationDenied(error = "access_denied") -> "you declined"
    | StateMissing | StateMismatch | StateUnknown | StateExpired _ | StateReplayed | WrongUser
    | IssuerMismatch _ | IssuerMissing _ | MalformedCallback _ -> "this sign-in link is stale or forged; start again"
    | LoginRequired _ -> "please sign in again"
    | AuthorizationDenied _ | EndpointError _ | UnexpectedResponse _ | UnsupportedTokenType _ | TokenTypeMismatch _
    | RedirectRefused _ | TransportFailure _ | Timeout _ | InvalidMetadata _ -> $"the authorization server failed: {PkceFailure.message failure}"
    | InvalidConfiguration _ | InvalidValue _ | StoreFailure _ -> $"sign-in is broken here: {PkceFailure.code failure}"
// README:end

// README:fsharp-tokens
/// Keeps the tokens of a sign-in for the key, then renews them at once (the refresh grant, RFC 6749 §6).
let keepAndRenew (tokens: TokenSource) (key: TokenKey) (signedIn: TokenResponse) : Task<Result<TokenSet * TokenSet, PkceFailure>> =
    taskResult {
        let! kept = Tokens.save tokens key signedIn CancellationToken.None
        let! renewed = Tokens.refresh tokens key CancellationToken.None
        return kept, renewed
    }
// README:end
