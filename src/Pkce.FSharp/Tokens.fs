namespace Pkce.FSharp

open System.Threading
open System.Threading.Tasks
open Pkce

/// Which token <c>Tokens.revokeToken</c> revokes (RFC 7009 §2.1 <c>token_type_hint</c>).
[<RequireQualifiedAccess>]
type TokenKind =
    /// An access token.
    | Access
    /// A refresh token.
    | Refresh

/// <summary>
/// A token through its life (the core's <c>TokenSource</c>, <c>RefreshRequest</c> and <c>Revocation</c>): kept per
/// <c>TokenKey</c>, renewed with the refresh token before it expires (one refresh for concurrent callers), revoked.
/// </summary>
[<RequireQualifiedAccess>]
module Tokens =
    /// A source of valid access tokens for the client of <paramref name="config"/>, keeping them in <paramref name="store"/>.
    let source (deps: Dependencies) (config: PkceConfig) (store: TokenStore) : TokenSource = TokenSource(config, deps, store)

    /// Keeps the tokens of a completed sign-in (<c>Flow.complete</c>) for the key, replacing older ones.
    let save (source: TokenSource) (key: TokenKey) (response: TokenResponse) (cancellationToken: CancellationToken) : Task<Result<TokenSet, PkceFailure>> =
        source.Save(key, response, cancellationToken) |> CoreResult.ofEitherAsync

    /// <summary>
    /// A valid access token for the key: the stored one while fresh, else a renewed one; <c>LoginRequired</c> when
    /// none can be had without the user signing in again.
    /// </summary>
    let get (source: TokenSource) (key: TokenKey) (cancellationToken: CancellationToken) : Task<Result<TokenSet, PkceFailure>> =
        source.Get(key, cancellationToken) |> CoreResult.ofEitherAsync

    /// Renews the access token of the key now, whatever its expiry (RFC 6749 §6; still one refresh for concurrent callers).
    let refresh (source: TokenSource) (key: TokenKey) (cancellationToken: CancellationToken) : Task<Result<TokenSet, PkceFailure>> =
        source.Refresh(key, cancellationToken) |> CoreResult.ofEitherAsync

    /// <summary>
    /// Logs the key out: revokes its refresh token, then its access token (RFC 7009), and forgets the tokens whatever
    /// the server said. <c>Ok None</c> when both were revoked or nothing was stored; <c>Ok (Some failure)</c> with
    /// the first revocation failure (the tokens are forgotten anyway); <c>Error</c> when the store failed.
    /// </summary>
    let revoke (source: TokenSource) (key: TokenKey) (cancellationToken: CancellationToken) : Task<Result<PkceFailure option, PkceFailure>> =
        source.Revoke(key, cancellationToken)
        |> CoreResult.ofEitherAsyncWith (Interop.option >> Option.map PkceFailure.ofError)

    /// <summary>
    /// Sends the refresh grant once (RFC 6749 §6), with <paramref name="scope"/> if given, without a store: the
    /// server's token response. <c>source</c>, <c>get</c> and <c>refresh</c> do this for kept tokens.
    /// </summary>
    let refreshGrant
        (deps: Dependencies)
        (config: PkceConfig)
        (refreshToken: string)
        (scope: string option)
        (cancellationToken: CancellationToken)
        : Task<Result<TokenResponse, PkceFailure>> =
        RefreshRequest.Send(config, deps.Http, refreshToken, Interop.coreOption scope, cancellationToken) |> CoreResult.ofEitherAsync

    /// Revokes one token once at the configured revocation endpoint (RFC 7009), without a store.
    let revokeToken
        (deps: Dependencies)
        (config: PkceConfig)
        (kind: TokenKind)
        (token: string)
        (cancellationToken: CancellationToken)
        : Task<Result<unit, PkceFailure>> =
        Revocation.Revoke(config, deps.Http, token, (kind = TokenKind.Refresh), cancellationToken)
        |> CoreResult.ofEitherAsyncWith ignore
