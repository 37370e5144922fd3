using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pkce.AspNetCore;

/// <summary>
/// Keeps authorization codes out of the app's logs: ASP.NET Core logs every request's URL with its query at
/// Information ("Request starting ... /callback?code=...&amp;state=..."), before any middleware could stop it. This
/// adds filter rules, after all of the app's own (a post-configuration), that lets only warnings and errors of that category
/// through, unless <see cref="PkceAspNetCoreOptions.KeepRequestLines"/> is set.
/// </summary>
internal sealed class RequestLineFilter(IOptions<PkceAspNetCoreOptions> options) : IPostConfigureOptions<LoggerFilterOptions>
{
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public void PostConfigure(string? name, LoggerFilterOptions filters)
    {
        if (options.Value.KeepRequestLines) return;
        // A rule that names a logging provider beats one that does not, whatever its category: so the rule is
        // repeated for every provider the app's own rules name (Logging:Console:LogLevel:Default, ...).
        var providers = filters.Rules.Select(r => r.ProviderName).Where(p => p is not null).Distinct(StringComparer.Ordinal).ToList();
        filters.Rules.Add(new LoggerFilterRule(null, Category, LogLevel.Warning, null));
        foreach (var provider in providers) filters.Rules.Add(new LoggerFilterRule(provider, Category, LogLevel.Warning, null));
    }
}
