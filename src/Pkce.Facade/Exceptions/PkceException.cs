namespace Pkce.Facade;

/// <summary>
/// The base of every exception the facade throws. <see cref="Error"/> is the core's typed error, for callers who
/// want to switch on it; <see cref="Code"/> is its stable code. Messages never contain a secret.
/// </summary>
public abstract class PkceException : Exception
{
    /// <summary>Wraps a core error.</summary>
    protected PkceException(PkceError error) : base(error.Message) => Error = error;

    /// <summary>The typed error from <c>Pkce.Core</c>.</summary>
    public PkceError Error { get; }

    /// <summary>The error's stable code, e.g. <c>state_replayed</c> or <c>token_endpoint_error</c>.</summary>
    public string Code => Error.Code;
}
