namespace Pkce.LocalAuthority;

/// <summary>
/// A server that must listen on 127.0.0.1 alone (the local authority, the <c>pkce</c> command's callback listener)
/// was bound to another address after all; it was stopped before this was thrown, and served nothing.
/// </summary>
public sealed class NotLoopbackException : IOException
{
    /// <summary>The refusal for <paramref name="what"/>, bound to <paramref name="addresses"/>.</summary>
    public NotLoopbackException(string what, IReadOnlyList<string> addresses)
        : base(addresses.Count == 0
            ? $"{what} reported no address it listens on; it was stopped"
            : $"{what} was bound to {string.Join(", ", addresses)}, which is not loopback; it was stopped") =>
        Addresses = addresses;

    /// <summary>The addresses that were not loopback.</summary>
    public IReadOnlyList<string> Addresses { get; }
}
