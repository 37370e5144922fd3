namespace Pkce.Facade;

/// <summary>
/// The callback cannot be trusted (the seed's <c>StateForgeryException</c>): its state is missing, does not match,
/// is unknown, expired or already used, belongs to another user, its <c>iss</c> is wrong (RFC 9207), or the callback
/// is malformed. The token endpoint was not called. <see cref="PkceException.Code"/> says which.
/// </summary>
public sealed class StateForgeryException : PkceException
{
    internal StateForgeryException(PkceError error) : base(error) { }
}
