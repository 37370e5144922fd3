namespace Pkce.FSharp

open System
open System.Threading
open System.Threading.Tasks
open Pkce

/// A configuration from the authorization server's own metadata (RFC 8414), as the core's <c>Discovery</c>,
/// <c>MetadataCache</c> and <c>DiscoveredConfig</c> make it.
[<RequireQualifiedAccess>]
module Discovery =
    /// <summary>
    /// A cache of metadata per issuer that fetches through <paramref name="deps"/>' HTTP port, one fetch at a time
    /// per issuer, keeps a document for <paramref name="lifetime"/> and gives each fetch <paramref name="timeout"/>.
    /// </summary>
    let cache (deps: Dependencies) (lifetime: TimeSpan) (timeout: TimeSpan) : MetadataCache =
        MetadataCache(deps.Http, deps.Clock, lifetime, timeout)

    /// Fetches and checks the metadata of the issuer, without a cache (RFC 8414 §3, then OpenID Connect Discovery).
    let fetch (deps: Dependencies) (issuer: string) (timeout: TimeSpan) (cancellationToken: CancellationToken) : Task<Result<ServerMetadata, PkceFailure>> =
        Pkce.Discovery.Fetch(deps.Http, issuer, timeout, cancellationToken) |> CoreResult.ofEitherAsync

    /// The metadata of the issuer, from the cache while it is fresh.
    let metadata (cache: MetadataCache) (issuer: string) (cancellationToken: CancellationToken) : Task<Result<ServerMetadata, PkceFailure>> =
        cache.Get(issuer, cancellationToken) |> CoreResult.ofEitherAsync

    /// <summary>
    /// The settings completed by the metadata (endpoints, issuer, whether <c>iss</c> and pushed requests are required,
    /// a client authentication the server supports when the settings name none), then validated.
    /// </summary>
    let configure (settings: PkceSettings) (metadata: ServerMetadata) : Result<PkceConfig, PkceFailure> =
        DiscoveredConfig.From(settings, metadata) |> CoreResult.ofEither

    /// The metadata of the issuer (from the cache while fresh), then <c>configure</c>.
    let discover (cache: MetadataCache) (settings: PkceSettings) (issuer: string) (cancellationToken: CancellationToken) : Task<Result<PkceConfig, PkceFailure>> =
        DiscoveredConfig.Discover(settings, cache, issuer, cancellationToken) |> CoreResult.ofEitherAsync
