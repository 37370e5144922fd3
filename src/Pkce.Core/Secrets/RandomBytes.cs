namespace Pkce;

/// <summary>
/// The one source of randomness: fills the buffer with cryptographically strong random bytes.
/// Injected so that tests can make flows reproducible; production uses <see cref="Secrets.SystemRandom"/>.
/// </summary>
public delegate void RandomBytes(Span<byte> destination);
