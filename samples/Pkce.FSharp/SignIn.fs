/// The whole authorization code + PKCE flow from F#, with the core's functions and an F# Result at the end.
module Pkce.FSharp.SignIn

open System
open System.Threading
open System.Threading.Tasks
open Pkce

/// Validates settings; every problem is in the error, as F# Result.
let configure (authorizationEndpoint: Uri) (tokenEndpoint: Uri) (issuer: Uri) (clientId: string) (redirectUri: string) : Result<PkceConfig, string list> =
    Config.Validate(
        PkceSettings(
            ClientId = clientId,
            RedirectUri = redirectUri,
            Scope = "api",
            AuthorizationEndpoint = authorizationEndpoint.AbsoluteUri,
            TokenEndpoint = tokenEndpoint.AbsoluteUri,
            ExpectedIssuer = issuer.AbsoluteUri))
        .Match(
            (fun config -> Ok config),
            (fun (error: PkceError) ->
                match error with
                | :? PkceError.InvalidConfiguration as invalid -> Error(List.ofSeq invalid.Problems)
                | other -> Error [ other.Message ]))

// README:fsharp-run
let private toResult (either: LanguageExt.Either<PkceError, 'T>) : Result<'T, PkceError> =
    either.Match((fun value -> Ok value), (fun (error: PkceError) -> Error error))

/// Starts a flow for the user, sends the URL to `browser` (which returns the callback URL), completes the flow.
/// The store is passed as two lambdas, the way an F# caller would adapt any storage.
let run (config: PkceConfig) (store: InMemoryPendingStore) (deps: Dependencies) (browser: Func<string, Task<string>>) (user: string)
    : Task<Result<TokenResponse, PkceError>> =
    task {
        let save = SavePending(fun pending ct -> store.Save(pending, ct))
        let take = TakePending(fun state ct -> store.Take(state, ct))
        match toResult (UserKey.From user) with
        | Error error -> return Error error
        | Ok key ->
            let! started = Flow.Start(config, deps, save, key, CancellationToken.None).ToEither()
            match toResult started with
            | Error error -> return Error error
            | Ok flow ->
                let! callback = browser.Invoke flow.AuthorizationUrl
                let! token = Flow.Complete(config, deps, take, key, callback, CancellationToken.None).ToEither()
                return toResult token
    }
// README:end
