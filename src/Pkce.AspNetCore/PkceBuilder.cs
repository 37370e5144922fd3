using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pkce.Http;
using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;
using StackExchange.Redis;

namespace Pkce.AspNetCore;

/// <summary>Adds providers and chooses the stores; returned by <c>AddPkce</c>.</summary>
public sealed class PkceBuilder
{
    /// <summary>The name of the HTTP client (from <c>IHttpClientFactory</c>) that talks to the providers.</summary>
    public const string HttpClientName = "Pkce.Providers";

    internal PkceBuilder(IServiceCollection services, PkceProviderNames names) => (Services, Names) = (services, names);

    internal PkceProviderNames Names { get; }

    /// <summary>The app's services.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds (or further configures) the provider <paramref name="name"/>; its settings are validated when the app starts.</summary>
    public PkceBuilder AddProvider(string name, Action<PkceProviderOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.AddOptions<PkceProviderOptions>(Named(name)).Configure(configure).ValidateOnStart();
        if (!Names.Contains(name, StringComparer.Ordinal)) Names.Add(name);
        return this;
    }

    /// <summary>Keeps pending connections and tokens in the SQLite file at <paramref name="path"/> (private to its owner; tokens encrypted).</summary>
    public PkceBuilder UseSqlite(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return UseStores(services =>
        {
            var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
            return new PkceStores(new SqlitePendingStore(path, clock).Ports, new SqliteTokenStore(path, clock).Ports, "sqlite");
        });
    }

    /// <summary>
    /// Keeps pending connections and tokens in Redis at <paramref name="configuration"/> (a StackExchange.Redis
    /// configuration string, e.g. <c>127.0.0.1:6379</c>); the connection is made when first needed and reconnects on its own.
    /// </summary>
    public PkceBuilder UseRedis(string configuration)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        Services.TryAddSingleton<RedisConnection>(_ => new RedisConnection(configuration));
        return UseStores(services =>
        {
            var redis = services.GetRequiredService<RedisConnection>().Multiplexer;
            var clock = services.GetService<TimeProvider>() ?? TimeProvider.System;
            return new PkceStores(new RedisPendingStore(redis, RedisPendingStore.DefaultPrefix, clock).Ports, new RedisTokenStore(redis).Ports, "redis");
        });
    }

    /// <summary>Keeps pending connections and tokens in stores of the app's own (the tokens are still encrypted before they reach them).</summary>
    public PkceBuilder UseStores(Func<IServiceProvider, PkceStores> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        Services.RemoveAll<PkceStores>();
        Services.AddSingleton(stores);
        return this;
    }

    internal static string Named(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"a provider name is ASCII letters, digits, '-' and '_' (it becomes a URL segment): '{name}'", nameof(name));
        return name;
    }

    /// <summary>Registers the client the ports use: the library's pinned transport is its primary handler, nothing else is in its chain, and its logs redact every header.</summary>
    internal static void AddProviderHttpClient(IServiceCollection services) =>
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(HttpPort.PrimaryHandler)
            .ConfigureAdditionalHttpMessageHandlers((handlers, _) => handlers.Clear())
            .RedactLoggedHeaders(_ => true);
}

/// <summary>One Redis connection for the package's stores, made when first used.</summary>
internal sealed class RedisConnection(string configuration) : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> _connection = new(() =>
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        return ConnectionMultiplexer.Connect(options);
    });

    public IConnectionMultiplexer Multiplexer => _connection.Value;

    public void Dispose()
    {
        if (_connection.IsValueCreated) _connection.Value.Dispose();
    }
}

/// <summary>The names of the providers added, in order.</summary>
internal sealed class PkceProviderNames : List<string>;
