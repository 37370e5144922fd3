namespace Pkce.FSharp

/// Conversions between LanguageExt's values and F#'s, for the face's own modules.
module internal Interop =
    /// A LanguageExt Option as an F# option (not through Option.Match: F#'s None is null at run time, and Match
    /// refuses a null result).
    let option (value: LanguageExt.Option<'T>) : 'T option = value.ToSeq() |> Seq.tryHead

    /// An F# option as a LanguageExt Option.
    let coreOption (value: 'T option) : LanguageExt.Option<'T> =
        match value with
        | Some some -> LanguageExt.Prelude.Some some
        | None -> LanguageExt.Option<'T>.None

    /// An F# list as a LanguageExt Seq.
    let coreSeq (values: 'T list) : LanguageExt.Seq<'T> = LanguageExt.Prelude.toSeq values
