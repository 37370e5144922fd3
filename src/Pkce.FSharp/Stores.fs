namespace Pkce.FSharp

open System
open System.Threading
open System.Threading.Tasks
open Pkce

/// <summary>
/// Store ports made of plain F# functions, for the core's delegates. A function answers <c>Error</c> with a
/// <see cref="T:Pkce.FSharp.PkceFailure"/> (usually <c>StoreFailure</c>); the core receives the same case.
/// </summary>
[<RequireQualifiedAccess>]
module Stores =
    /// <summary>
    /// Pending authorizations kept by two functions. <paramref name="save"/> stores one under its state until its
    /// expiry and answers only once the write is acknowledged. <paramref name="take"/> consumes the one stored under a
    /// state: of any number of takes of one state exactly one gets it, the others get <c>StateReplayed</c> (or
    /// <c>StateUnknown</c> once the state is forgotten); an entry past its expiry is <c>StateExpired</c>.
    /// Used by <c>Flow.start</c> (save) and <c>Flow.complete</c> (take).
    /// </summary>
    let pending
        (save: PendingAuthorization -> CancellationToken -> Task<Result<unit, PkceFailure>>)
        (take: State -> CancellationToken -> Task<Result<PendingAuthorization, PkceFailure>>)
        : PendingStore =
        PendingStore(
            SavePending(fun pending cancellationToken -> save pending cancellationToken |> CoreResult.toEitherAsyncUnit),
            TakePending(fun state cancellationToken -> take state cancellationToken |> CoreResult.toEitherAsync)
        )

    /// <summary>
    /// Tokens kept by five functions, for <c>Tokens.source</c>. <paramref name="load"/> reads what is stored for a key
    /// (<c>StoredTokens.Nothing</c> when nothing is). <paramref name="swap"/> is a compare-and-swap: it writes the
    /// tokens as the given version + 1 only if the stored version is still the given one, in one atomic step, and
    /// answers whether it wrote. <paramref name="delete"/> forgets a key. <paramref name="acquire"/> takes the
    /// refresh lease of a key for a holder for a while, if nobody else holds it, and answers whether it did;
    /// <paramref name="release"/> gives it back if the holder still holds it.
    /// </summary>
    let tokens
        (load: TokenKey -> CancellationToken -> Task<Result<StoredTokens, PkceFailure>>)
        (swap: TokenKey -> int64 -> StoredTokens -> CancellationToken -> Task<Result<bool, PkceFailure>>)
        (delete: TokenKey -> CancellationToken -> Task<Result<unit, PkceFailure>>)
        (acquire: TokenKey -> string -> TimeSpan -> CancellationToken -> Task<Result<bool, PkceFailure>>)
        (release: TokenKey -> string -> CancellationToken -> Task<Result<unit, PkceFailure>>)
        : TokenStore =
        TokenStore(
            LoadTokens(fun key cancellationToken -> load key cancellationToken |> CoreResult.toEitherAsync),
            SwapTokens(fun key version next cancellationToken -> swap key version next cancellationToken |> CoreResult.toEitherAsync),
            DeleteTokens(fun key cancellationToken -> delete key cancellationToken |> CoreResult.toEitherAsyncUnit),
            AcquireLease(fun key holder ttl cancellationToken -> acquire key holder ttl cancellationToken |> CoreResult.toEitherAsync),
            ReleaseLease(fun key holder cancellationToken -> release key holder cancellationToken |> CoreResult.toEitherAsyncUnit)
        )

    /// The core's in-memory store of pending authorizations (one process, thread-safe, single use, with expiry).
    let inMemory () : PendingStore = InMemoryPendingStore().Ports

    /// The core's in-memory token store (one process, thread-safe, compare-and-swap, leases).
    let inMemoryTokens () : TokenStore = InMemoryTokenStore().Ports
