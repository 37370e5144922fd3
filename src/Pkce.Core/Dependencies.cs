using LanguageExt;
using Pkce.Http;

namespace Pkce;

/// <summary>
/// What a flow talks to besides its configuration, travelling together (dependencies first in every step's
/// signature): the random source of its secrets, the clock of its expiries and the HTTP port of its requests.
/// The stores are the ports of each flow style (<see cref="PendingStore"/>, the per-user ports), passed beside it.
/// </summary>
/// <param name="Random">Randomness for state and verifier; the OS CSPRNG in <see cref="System(HttpPort)"/>.</param>
/// <param name="Clock">The clock for lifetimes and expiries.</param>
/// <param name="Http">The one HTTP port.</param>
public sealed record Dependencies(RandomBytes Random, TimeProvider Clock, HttpPort Http)
{
    /// <summary>
    /// The DPoP key and nonces, when the client binds its tokens to a key (RFC 9449): the authorization request
    /// then carries <c>dpop_jkt</c>, every token request a proof, and only <c>DPoP</c> tokens are accepted back.
    /// </summary>
    public Option<DpopBinding> Dpop { get; init; }

    /// <summary>The OS CSPRNG, the system clock, and <paramref name="http"/>.</summary>
    public static Dependencies System(HttpPort http) => new(Secrets.SystemRandom, TimeProvider.System, http);
}
