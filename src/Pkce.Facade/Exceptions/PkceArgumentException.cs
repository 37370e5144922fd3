namespace Pkce.Facade;

/// <summary>
/// An argument the caller passed is invalid (an empty or too long user key, an extra authorization parameter that
/// names one the library sets or repeats another): an <see cref="ArgumentException"/>, never "the flow failed".
/// Nothing was stored and nothing was sent.
/// </summary>
public sealed class PkceArgumentException : ArgumentException
{
    internal PkceArgumentException(PkceError.InvalidValue error) : base(error.Message) => Error = error;

    /// <summary>The typed error from <c>Pkce.Core</c>.</summary>
    public PkceError Error { get; }

    /// <summary>The error's stable code, <c>invalid_value</c>.</summary>
    public string Code => Error.Code;
}
