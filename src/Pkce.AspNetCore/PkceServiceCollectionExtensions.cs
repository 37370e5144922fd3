using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pkce;
using Pkce.AspNetCore;

// The extension methods live in the namespace of the builder they extend, as ASP.NET Core's own do.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Pkce in an ASP.NET Core app.</summary>
public static class PkceServiceCollectionExtensions
{
    /// <summary>
    /// Adds Pkce with the providers under <paramref name="configuration"/>'s <c>Providers</c> section (e.g. the
    /// section <c>Pkce</c>: <c>Pkce:Providers:gitlab:ClientId</c>, ...), each validated when the app starts: a bad
    /// setting stops the app with every problem listed. Tokens are kept in memory unless a store is chosen
    /// (<see cref="PkceBuilder.UseSqlite"/>, <see cref="PkceBuilder.UseRedis"/>), encrypted with Data Protection.
    /// </summary>
    public static PkceBuilder AddPkce(this IServiceCollection services, IConfiguration configuration, Action<PkceAspNetCoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddPkce(configure);
        foreach (var provider in configuration.GetSection("Providers").GetChildren())
        {
            var section = provider;
            builder.AddProvider(provider.Key, _ => { });
            services.AddOptions<PkceProviderOptions>(provider.Key).Bind(section);
        }
        return builder;
    }

    /// <summary>Adds Pkce with no provider yet: add them with <see cref="PkceBuilder.AddProvider"/>.</summary>
    public static PkceBuilder AddPkce(this IServiceCollection services, Action<PkceAspNetCoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var names = services.FirstOrDefault(d => d.ServiceType == typeof(PkceProviderNames))?.ImplementationInstance as PkceProviderNames;
        if (names is null)
        {
            names = [];
            services.AddSingleton(names);
            services.AddOptions<PkceAspNetCoreOptions>().ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PkceAspNetCoreOptions>, SharedOptionsValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PkceProviderOptions>, ProviderOptionsValidator>());
            services.AddHttpContextAccessor();
            services.AddDataProtection();
            services.AddAntiforgery();
            services.AddLogging();
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, RequestLineFilter>();
            services.TryAddSingleton(provider => new PkceStores(
                new InMemoryPendingStore(provider.GetRequiredService<TimeProvider>()).Ports,
                new InMemoryTokenStore(provider.GetRequiredService<TimeProvider>()).Ports, "memory"));
            services.TryAddSingleton<PkceProviders>();
            services.TryAddSingleton(provider => new PkceConnections(provider.GetRequiredService<PkceProviders>(), provider.GetRequiredService<IOptions<PkceAspNetCoreOptions>>()));
            PkceBuilder.AddProviderHttpClient(services);
        }
        if (configure is not null) services.Configure(configure);
        return new PkceBuilder(services, names);
    }
}
