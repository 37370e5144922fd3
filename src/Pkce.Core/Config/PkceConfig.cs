using System.Collections.Frozen;

namespace Pkce;

/// <summary>Everything a flow needs, validated. The only way to get one is <see cref="Config.Validate"/>.</summary>
public sealed record PkceConfig
{
    internal PkceConfig(ClientConfig client, ServerConfig server, TimeSpan timeout, TimeSpan pendingLifetime)
    {
        (Client, Server, Timeout, PendingLifetime) = (client, server, timeout, pendingLifetime);
        AuthorizationRequestPrefix = AuthorizationUrl.Prefix(client, server.AuthorizationEndpoint);
        TakenParameterNames = WireNames.ReservedAuthorizationParameters
            .Concat(QueryString.Parse(server.AuthorizationEndpoint.Query).Select(p => p.Name))
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The client.</summary>
    public ClientConfig Client { get; }

    /// <summary>The authorization server.</summary>
    public ServerConfig Server { get; }

    /// <summary>How long to wait for the token endpoint before giving up.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>How long a pending authorization may wait for its callback.</summary>
    public TimeSpan PendingLifetime { get; }

    // Derived once from the above (which cannot change after construction), so every URL costs only its own part.
    internal string AuthorizationRequestPrefix { get; }

    internal FrozenSet<string> TakenParameterNames { get; }

    /// <summary>Equal when client, server, timeout and lifetime are (the derived members follow from them).</summary>
    public bool Equals(PkceConfig? other) =>
        other is not null && Client == other.Client && Server == other.Server && Timeout == other.Timeout && PendingLifetime == other.PendingLifetime;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Client, Server, Timeout, PendingLifetime);
}
