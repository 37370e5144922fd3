namespace Pkce.Facade;

/// <summary>
/// The settings are incomplete or invalid (the seed's <c>ImproperlyConfigured</c>); thrown when the manager or client
/// is constructed. <see cref="Problems"/> lists every problem, not just the first.
/// </summary>
public sealed class ImproperlyConfiguredException : PkceException
{
    internal ImproperlyConfiguredException(PkceError.InvalidConfiguration error) : base(error) => Problems = error.Problems.ToList();

    /// <summary>Each problem found, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }
}
