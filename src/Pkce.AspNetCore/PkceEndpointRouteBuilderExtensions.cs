using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Pkce.AspNetCore;

// In the namespace of the builder it extends, as ASP.NET Core's own Map* methods are.
namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the endpoints that connect, and disconnect, a signed-in user's account at each provider.</summary>
public static class PkceEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, for each provider NAME: <c>GET {prefix}/NAME</c> (start: redirects the browser to the provider),
    /// <c>GET</c> at the path of the provider's redirect URI (the callback), and <c>POST {prefix}/NAME/disconnect</c>
    /// (revokes; needs the app's antiforgery token in the form, field <c>__RequestVerificationToken</c>). Provider
    /// settings are validated here, so a bad one stops the app before it serves.
    /// </summary>
    public static IEndpointConventionBuilder MapPkce(this IEndpointRouteBuilder endpoints, string prefix = "/connect")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (!prefix.StartsWith('/') || prefix.Length > 1 && prefix.EndsWith('/'))
            throw new ArgumentException($"the prefix is a path like /connect: '{prefix}'", nameof(prefix));
        var providers = endpoints.ServiceProvider.GetRequiredService<PkceProviders>();
        var handlers = ActivatorUtilities.CreateInstance<ConnectEndpoints>(endpoints.ServiceProvider);
        var group = endpoints.MapGroup("");
        var start = prefix.TrimEnd('/');
        // Routes match case-insensitively: every path mapped here, of every provider, must differ from the others so.
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Claim(string path, string owner)
        {
            if (!paths.TryAdd(path, owner))
                throw new InvalidOperationException($"Pkce: {owner} and {paths[path]} would both be mapped at {path}; give each provider its own name and redirect URI path");
        }
        foreach (var name in providers.Names)
        {
            Claim($"{start}/{name}", $"the start endpoint of provider '{name}'");
            Claim($"{start}/{name}/disconnect", $"the disconnect endpoint of provider '{name}'");
        }
        foreach (var name in providers.Names)
        {
            var provider = providers.Find(name)!;
            var callback = provider.RedirectPath;
            Claim(callback, $"the callback of provider '{name}'");
            group.MapGet($"{start}/{name}", (HttpContext context) => handlers.Start(context, name)).ExcludeFromDescription();
            group.MapGet(callback, (HttpContext context) => handlers.Callback(context, name)).ExcludeFromDescription();
            group.MapPost($"{start}/{name}/disconnect", (HttpContext context) => handlers.Disconnect(context, name))
                .DisableAntiforgery().ExcludeFromDescription();
        }
        return group;
    }
}
