using Pkce.Facade;
using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;
using StackExchange.Redis;

namespace Pkce.Samples;

public static class Stores
{
    public static PkceClient WithSqlite(PkceSettings settings, string path)
    {
        // README:store-sqlite
        var store = new SqlitePendingStore(path); // one file, created on first use; survives restarts
        var client = new PkceClient(settings, store.Ports);
        // README:end
        return client;
    }

    public static async Task<(PkceClient Client, IConnectionMultiplexer Redis)> WithRedisAsync(PkceSettings settings, string configuration)
    {
        // README:store-redis
        var redis = await ConnectionMultiplexer.ConnectAsync(configuration); // e.g. "redis.internal:6379"
        var client = new PkceClient(settings, new RedisPendingStore(redis).Ports); // same Redis on every instance
        // README:end
        return (client, redis);
    }
}
