using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

public sealed class InMemoryStoreContract : PendingStoreContract
{
    protected override PendingStore CreateStore() => new InMemoryPendingStore(Clock).Ports;
}

public sealed class SqliteStoreContract : PendingStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-sqlite-").FullName;

    protected override PendingStore CreateStore() => new SqlitePendingStore(Path.Combine(_directory, $"{Guid.NewGuid():N}.db"), Clock).Ports;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisStoreContract(RedisServer server) : PendingStoreContract, IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    // Each store gets its own prefix: a fresh, empty store on the shared server.
    protected override PendingStore CreateStore() => new RedisPendingStore(_redis, $"test:{Guid.NewGuid():N}:", Clock).Ports;

    // Redis expires keys by its own clock, so real time must pass too.
    protected override async Task PassTimeAsync(TimeSpan by)
    {
        await base.PassTimeAsync(by);
        await Task.Delay(by);
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis server";
}

public sealed class InMemoryTokenStoreContract : TokenStoreContract
{
    protected override TokenStore CreateStore() => new InMemoryTokenStore(Clock).Ports;
}

public sealed class SqliteTokenStoreContract : TokenStoreContract, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-sqlite-tokens-").FullName;

    protected override TokenStore CreateStore() => new SqliteTokenStore(Path.Combine(_directory, $"{Guid.NewGuid():N}.db"), Clock).Ports;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisTokenStoreContract(RedisServer server) : TokenStoreContract, IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    protected override TokenStore CreateStore() => new RedisTokenStore(_redis, $"test:{Guid.NewGuid():N}:").Ports;

    // Redis lapses leases by its own clock: real time must pass, so the lapse tests use a short lease.
    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(2);

    protected override async Task PassTimeAsync(TimeSpan by)
    {
        await base.PassTimeAsync(by);
        await Task.Delay(by);
    }
}
