namespace Pkce;

/// <summary>Everything a flow needs, validated. The only way to get one is <see cref="Config.Validate"/>.</summary>
public sealed record PkceConfig
{
    internal PkceConfig(ClientConfig client, ServerConfig server, TimeSpan timeout, TimeSpan pendingLifetime) =>
        (Client, Server, Timeout, PendingLifetime) = (client, server, timeout, pendingLifetime);

    /// <summary>The client.</summary>
    public ClientConfig Client { get; init; }

    /// <summary>The authorization server.</summary>
    public ServerConfig Server { get; init; }

    /// <summary>How long to wait for the token endpoint before giving up.</summary>
    public TimeSpan Timeout { get; init; }

    /// <summary>How long a pending authorization may wait for its callback.</summary>
    public TimeSpan PendingLifetime { get; init; }
}
