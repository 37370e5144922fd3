using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pkce.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>HTTP clients that call a provider's API as the signed-in user.</summary>
public static class PkceUserApiExtensions
{
    /// <summary>
    /// Adds the named client <paramref name="provider"/> (resolve it with <c>IHttpClientFactory.CreateClient</c>),
    /// based at <paramref name="apiBase"/>, that sends the signed-in user's access token for the provider with
    /// every request, refreshes it when needed, and on a 401 refreshes once and retries. The token is sent only to
    /// <paramref name="apiBase"/>'s origin, which must be https (http only on a loopback host). Redirects are
    /// returned to the caller, not followed.
    /// </summary>
    public static IHttpClientBuilder AddPkceUserApi(this IServiceCollection services, string provider, Uri apiBase)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(apiBase);
        PkceBuilder.Named(provider);
        if (!apiBase.IsAbsoluteUri || !(apiBase.Scheme == Uri.UriSchemeHttps || apiBase.Scheme == Uri.UriSchemeHttp && apiBase.IsLoopback))
            throw new ArgumentException($"the API base must be an absolute https URL (http only on loopback): '{apiBase}'", nameof(apiBase));
        // Redirects are not followed: the answer (a 3xx) goes back to the caller, and the token never follows it.
        return services.AddHttpClient(provider, client => client.BaseAddress = apiBase)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false })
            .AddHttpMessageHandler(sp => ActivatorUtilities.CreateInstance<UserTokenHandler>(sp, provider, apiBase))
            .RedactLoggedHeaders(_ => true);
    }
}
