using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;
using StackExchange.Redis;

namespace Pkce.Cli;

/// <summary>An opened store of pending authorizations and what must be closed with it.</summary>
/// <param name="Store">The store's ports.</param>
/// <param name="Owner">A connection to close when done, if any.</param>
public sealed record OpenedStore(PendingStore Store, IAsyncDisposable? Owner) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Owner?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>The <c>--store</c> option: <c>memory</c>, <c>sqlite:PATH</c> or <c>redis:CONNECTION</c>.</summary>
public static class StoreChoice
{
    /// <summary>Opens the store named by <paramref name="spec"/>, or says why it cannot.</summary>
    public static async Task<(OpenedStore? Store, string? Problem)> OpenAsync(string spec, CancellationToken cancellationToken)
    {
        if (spec == "memory") return (new OpenedStore(new InMemoryPendingStore().Ports, null), null);
        if (spec.StartsWith("sqlite:", StringComparison.Ordinal) && spec.Length > "sqlite:".Length)
            return (new OpenedStore(new SqlitePendingStore(spec["sqlite:".Length..]).Ports, null), null);
        if (spec.StartsWith("redis:", StringComparison.Ordinal) && spec.Length > "redis:".Length)
        {
            try
            {
                var options = ConfigurationOptions.Parse(spec["redis:".Length..]);
                options.AbortOnConnectFail = false;
                var redis = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(cancellationToken);
                return (new OpenedStore(new RedisPendingStore(redis).Ports, redis), null);
            }
            catch (ArgumentException e)
            {
                return (null, $"--store: the Redis configuration is invalid: {e.Message}");
            }
        }
        return (null, $"--store '{spec}' is not one of memory, sqlite:PATH, redis:CONNECTION");
    }
}
