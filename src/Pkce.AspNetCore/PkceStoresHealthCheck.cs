using LanguageExt;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Pkce.AspNetCore;

/// <summary>
/// Reports whether the stores answer: a read of a token key nobody uses, and a take of a state nobody made (which
/// must answer "unknown state", not fail). Healthy when both answer, unhealthy with the store's error otherwise.
/// </summary>
internal sealed class PkceStoresHealthCheck(PkceProviders providers) : IHealthCheck
{
    private static readonly TokenKey Probe = new(UserKey.From("pkce-health-probe").IfLeft(_ => throw new InvalidOperationException()), "", "");

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var stores = providers.Stores;
        var tokens = await stores.Tokens.Load(Probe, cancellationToken).ToEither();
        var state = Secrets.Generate().State;
        var pending = await stores.Pending.Take(state, cancellationToken).ToEither();
        // MatchUnsafe: "no failure" is null here, and Match throws on a null result (which made every check unhealthy).
        var failure = tokens.MatchUnsafe(_ => null, e => e) ?? pending.MatchUnsafe(_ => null, e => e is PkceError.StoreFailure ? e : null);
        var data = new Dictionary<string, object> { ["backend"] = stores.Name };
        return failure is null
            ? HealthCheckResult.Healthy($"the {stores.Name} stores answer", data)
            : HealthCheckResult.Unhealthy($"the {stores.Name} stores fail: {failure.Message}", data: data);
    }
}
