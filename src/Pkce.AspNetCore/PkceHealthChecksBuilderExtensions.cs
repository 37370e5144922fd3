using Microsoft.Extensions.Diagnostics.HealthChecks;
using Pkce.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health of the stores Pkce keeps pending connections and tokens in.</summary>
public static class PkceHealthChecksBuilderExtensions
{
    /// <summary>Adds a check named <paramref name="name"/> that reads and takes from the stores (see <c>AddPkce</c>).</summary>
    public static IHealthChecksBuilder AddPkceStores(this IHealthChecksBuilder builder, string name = "pkce-stores", IEnumerable<string>? tags = null) =>
        builder.AddCheck<PkceStoresHealthCheck>(name, HealthStatus.Unhealthy, tags ?? []);
}
