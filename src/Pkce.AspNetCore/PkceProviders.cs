using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Pkce.Http;

namespace Pkce.AspNetCore;

/// <summary>
/// The providers of the app, each made once from its validated options: the shared stores (tokens encrypted), one
/// HTTP port and metadata cache over the factory-made client, the clock from DI.
/// </summary>
internal sealed class PkceProviders : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<PkceProvider>> _providers = new(StringComparer.Ordinal);
    private readonly IOptionsMonitor<PkceProviderOptions> _options;
    private readonly HttpPort _http;
    private readonly MetadataCache _metadata;
    private readonly TokenStore _tokens;
    private readonly TimeProvider _clock;
    private readonly TokenSourceOptions _sourceOptions;

    public PkceProviders(PkceProviderNames names, IOptionsMonitor<PkceProviderOptions> options, IOptions<PkceAspNetCoreOptions> shared,
        PkceStores stores, IDataProtectionProvider protection, IHttpClientFactory clients, TimeProvider clock)
    {
        (Names, _options, Stores, _clock) = ([.. names], options, stores, clock);
        _http = new HttpPort(clients.CreateClient(PkceBuilder.HttpClientName));
        _metadata = new MetadataCache(_http, clock, shared.Value.MetadataLifetime, PkceSettings.DefaultTimeout);
        _tokens = ProtectedTokenStore.Wrap(stores.Tokens, protection);
        _sourceOptions = new TokenSourceOptions(shared.Value.RefreshMargin, TokenSourceOptions.Default.LeaseWait);
    }

    /// <summary>The providers' names, in the order they were added.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The stores as the app chose them (tokens not yet encrypted: for the health check).</summary>
    public PkceStores Stores { get; }

    /// <summary>The provider <paramref name="name"/>, or null if there is none of that name.</summary>
    public PkceProvider? Find(string name) =>
        Names.Contains(name, StringComparer.Ordinal)
            ? _providers.GetOrAdd(name, n => new Lazy<PkceProvider>(() => Make(n))).Value
            : null;

    private PkceProvider Make(string name) =>
        new(name, _options.Get(name), new Dependencies(Secrets.SystemRandom, _clock, _http), _metadata, _tokens, Stores.Pending, _sourceOptions);

    public void Dispose() => _http.Dispose();
}
