namespace Pkce.FSharp

open System.Threading.Tasks

/// <summary>
/// The builder of <c>taskResult { }</c>: <c>task { }</c> over <c>Result</c>. <c>let!</c> and <c>return!</c> take a
/// <c>Task&lt;Result&lt;_, _&gt;&gt;</c> (every step of this face), a <c>Result</c> or a plain <c>Task</c>; the first
/// <c>Error</c> ends the block with that error.
/// </summary>
type TaskResultBuilder() =
    /// Ends the block with a value.
    member _.Return(value: 'T) : Task<Result<'T, 'E>> = Task.FromResult(Ok value)

    /// Ends the block with the result of a step.
    member _.ReturnFrom(result: Task<Result<'T, 'E>>) : Task<Result<'T, 'E>> = result

    /// Runs a step; goes on with its value, or ends the block with its error.
    member _.Bind(result: Task<Result<'T, 'E>>, next: 'T -> Task<Result<'U, 'E>>) : Task<Result<'U, 'E>> =
        task {
            match! result with
            | Ok value -> return! next value
            | Error error -> return Error error
        }

    /// A step as it is.
    member _.Source(result: Task<Result<'T, 'E>>) : Task<Result<'T, 'E>> = result

    /// A result at hand, as a step.
    member _.Source(result: Result<'T, 'E>) : Task<Result<'T, 'E>> = Task.FromResult result

    /// A block without a value.
    member _.Zero() : Task<Result<unit, 'E>> = Task.FromResult(Ok())

    /// Delays the block until it is run.
    member _.Delay(body: unit -> Task<Result<'T, 'E>>) : unit -> Task<Result<'T, 'E>> = body

    /// Runs the block.
    member _.Run(body: unit -> Task<Result<'T, 'E>>) : Task<Result<'T, 'E>> = body ()

/// Brings <c>taskResult { }</c> into scope with the namespace.
[<AutoOpen>]
module TaskResultBuilderInstance =
    // An extension member, which F# ranks below the builder's own: a Task of a Result is a Task<'T> too, and must
    // stay a step that can fail.
    type TaskResultBuilder with
        /// A task that does not answer a Result, as a step that succeeds (its exceptions propagate, as in <c>task { }</c>).
        member _.Source(value: Task<'T>) : Task<Result<'T, 'E>> =
            task {
                let! value = value
                return Ok value
            }

    /// <c>task { }</c> over <c>Result</c>: see <see cref="T:Pkce.FSharp.TaskResultBuilder"/>.
    let taskResult = TaskResultBuilder()
