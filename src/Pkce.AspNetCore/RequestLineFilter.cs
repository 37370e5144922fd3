using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pkce.AspNetCore;

/// <summary>
/// Keeps authorization codes out of the app's logs: ASP.NET Core logs every request's URL with its query at
/// Information ("Request starting ... /callback?code=...&amp;state=..."), before any middleware could stop it. This
/// adds a filter rule, after the app's own configuration, that lets only warnings and errors of that category
/// through, unless <see cref="PkceAspNetCoreOptions.KeepRequestLines"/> is set.
/// </summary>
internal sealed class RequestLineFilter(IOptions<PkceAspNetCoreOptions> options) : IConfigureOptions<LoggerFilterOptions>
{
    public const string Category = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public void Configure(LoggerFilterOptions filters)
    {
        if (!options.Value.KeepRequestLines) filters.Rules.Add(new LoggerFilterRule(null, Category, LogLevel.Warning, null));
    }
}
