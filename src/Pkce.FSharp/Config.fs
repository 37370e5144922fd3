namespace Pkce.FSharp

open Pkce

/// Settings validated into a configuration (the core's <c>Config.Validate</c>).
[<RequireQualifiedAccess>]
module Config =
    /// <summary>
    /// Checks every setting: the configuration, or one <c>InvalidConfiguration</c> listing every problem found (not
    /// just the first).
    /// </summary>
    let validate (settings: PkceSettings) : Result<PkceConfig, PkceFailure> =
        Pkce.Config.Validate(settings) |> CoreResult.ofEither

/// Whom a flow belongs to (the core's <c>UserKey.From</c>).
[<RequireQualifiedAccess>]
module UserKey =
    /// <summary>Any non-empty string of at most 1024 characters: a user id, a session id; else <c>InvalidValue</c>.</summary>
    let from (value: string) : Result<UserKey, PkceFailure> = Pkce.UserKey.From(value) |> CoreResult.ofEither
