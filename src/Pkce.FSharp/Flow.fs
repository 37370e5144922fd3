namespace Pkce.FSharp

open System.Threading
open System.Threading.Tasks
open Pkce

/// <summary>
/// The flow in two steps, one per HTTP request the application handles (the core's <c>Flow</c>): dependencies
/// first, then what changes per request.
/// </summary>
[<RequireQualifiedAccess>]
module Flow =
    /// <summary>
    /// Starts a flow for <paramref name="user"/>: generates the secrets, builds the authorization URL with
    /// <paramref name="extras"/> (name, value) after the library's parameters (pushing the request first when the
    /// server takes pushed requests, RFC 9126), then saves the pending authorization through
    /// <paramref name="store"/>. The URL comes back only once the save is acknowledged; send the user there.
    /// </summary>
    let start
        (deps: Dependencies)
        (config: PkceConfig)
        (store: PendingStore)
        (user: UserKey)
        (extras: (string * string) list)
        (cancellationToken: CancellationToken)
        : Task<Result<StartedFlow, PkceFailure>> =
        let parameters = extras |> List.map QueryParameter |> Interop.coreSeq
        Pkce.Flow.Start(config, deps, store.Save, user, parameters, cancellationToken) |> CoreResult.ofEitherAsync

    /// <summary>
    /// Completes a flow from the <paramref name="callback"/> URL (or its query): parses it, takes the pending
    /// authorization for its state from <paramref name="store"/> (consuming it), verifies state, user, lifetime and
    /// issuer, and exchanges the code. Any failure before the exchange means no request reached the token endpoint.
    /// </summary>
    let complete
        (deps: Dependencies)
        (config: PkceConfig)
        (store: PendingStore)
        (user: UserKey)
        (callback: string)
        (cancellationToken: CancellationToken)
        : Task<Result<TokenResponse, PkceFailure>> =
        Pkce.Flow.Complete(config, deps, store.Take, user, callback, cancellationToken) |> CoreResult.ofEitherAsync
