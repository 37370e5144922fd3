using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Pkce.LocalAuthority;

/// <summary>
/// A web application that listens on 127.0.0.1 and nowhere else, whatever its configuration says: the local
/// authority's and the <c>pkce</c> command's loopback listener's (this file is compiled into both). ASP.NET Core's
/// builders read <c>appsettings.json</c> from the content root (by default the working directory), environment
/// variables (<c>Kestrel__Endpoints__Http__Url</c>, <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_PREFERHOSTINGURLS</c>) and
/// <c>Kestrel:Endpoints</c> there adds endpoints to the ones in code, so any of them could put a server with plain
/// http (and, for the authority, a signing key shipped in the package) on every interface.
/// </summary>
internal static class LoopbackKestrel
{
    /// <summary>
    /// A slim builder whose content root is the application's folder (no <c>appsettings.json</c> of the working
    /// directory), whose Kestrel reads no configuration (an empty one replaces the <c>Kestrel</c> section), and
    /// which listens on 127.0.0.1:<paramref name="port"/> (0: any free port) from code, which URLs from the host's
    /// settings cannot override.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.PreferHostingUrls(false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Runs after the builder's own ConfigureKestrel, which gave Kestrel the "Kestrel" section: replaced.
            kestrel.Configure(new ConfigurationBuilder().Build());
            kestrel.Listen(IPAddress.Loopback, port);
        });
        return builder;
    }

    /// <summary>
    /// Starts <paramref name="app"/> and returns the address it is bound to; if it is bound to any address that is
    /// not a loopback IP address, stops it and throws <see cref="NotLoopbackException"/>.
    /// </summary>
    public static async Task<string> StartAsync(WebApplication app, string what, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
        if (addresses.Count > 0 && exposed.Count == 0) return addresses[0];
        await app.StopAsync(CancellationToken.None);
        await app.DisposeAsync();
        throw new NotLoopbackException(what, exposed);
    }

    /// <summary>Whether a bound address (<c>http://127.0.0.1:5000</c>) has a loopback IP address for its host; a name never counts.</summary>
    public static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
}
