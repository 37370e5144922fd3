using Pkce.Facade;

namespace Pkce.AspNetCore;

/// <summary>
/// The signed-in user has no usable token for the provider: never connected, disconnected, or the provider refused
/// the refresh token. Send them to the provider's start endpoint to connect (again).
/// </summary>
public sealed class PkceNotConnectedException : PkceException
{
    /// <summary>For <paramref name="provider"/>, because of <paramref name="error"/>.</summary>
    public PkceNotConnectedException(string provider, PkceError error) : base(error) => Provider = provider;

    /// <summary>The provider's name.</summary>
    public string Provider { get; }
}
