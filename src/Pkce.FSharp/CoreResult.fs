namespace Pkce.FSharp

open System.Threading.Tasks
open Pkce

/// Either and EitherAsync of the core as Result and Task of Result, and back, for the face's own modules.
module internal CoreResult =
    /// A core result as an F# Result.
    let ofEither (either: LanguageExt.Either<PkceError, 'T>) : Result<'T, PkceFailure> =
        either.Match((fun value -> Ok value), (fun (error: PkceError) -> Error(PkceFailure.ofError error)))

    /// <summary>
    /// A core pipeline as a task of an F# Result, its value converted by <paramref name="convert"/> here rather than
    /// by the pipeline's Map: LanguageExt refuses a null result, and F#'s <c>None</c> and <c>()</c> are null.
    /// </summary>
    let ofEitherAsyncWith (convert: 'T -> 'U) (either: LanguageExt.EitherAsync<PkceError, 'T>) : Task<Result<'U, PkceFailure>> =
        task {
            let! result = either.ToEither()
            return ofEither result |> Result.map convert
        }

    /// A core pipeline as a task of an F# Result.
    let ofEitherAsync (either: LanguageExt.EitherAsync<PkceError, 'T>) : Task<Result<'T, PkceFailure>> = ofEitherAsyncWith id either

    /// A task of an F# Result as a core pipeline: what an F# store function hands back to the core.
    let toEitherAsync (result: Task<Result<'T, PkceFailure>>) : LanguageExt.EitherAsync<PkceError, 'T> =
        let either: Task<LanguageExt.Either<PkceError, 'T>> =
            task {
                match! result with
                | Ok value -> return LanguageExt.Prelude.Right<PkceError, 'T>(value)
                | Error failure -> return LanguageExt.Prelude.Left<PkceError, 'T>(PkceFailure.toError failure)
            }
        either.ToAsync()

    /// <c>toEitherAsync</c> for a function that returns F#'s unit, where the core expects LanguageExt's.
    let toEitherAsyncUnit (result: Task<Result<unit, PkceFailure>>) : LanguageExt.EitherAsync<PkceError, LanguageExt.Unit> =
        toEitherAsync (task {
            let! saved = result
            return Result.map (fun () -> LanguageExt.Unit.Default) saved
        })
