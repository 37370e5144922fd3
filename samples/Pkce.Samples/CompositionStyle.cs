using Pkce.Facade;

namespace Pkce.Samples;

public static class CompositionStyle
{
    public static PkceClient Create(string rootUrl, SocketsHttpHandler transport) =>
        // README:client-create
        new PkceClient(
            new PkceSettings
            {
                ClientId = "my-app",
                RedirectUri = "http://127.0.0.1:8000/oauth/callback",
                RootUrl = rootUrl,
                Scope = "read_api",
                Timeout = TimeSpan.FromSeconds(10),
            },
            transport: transport); // a fresh SocketsHttpHandler (proxy, certificates); the store defaults to in-memory
        // README:end

    public static async Task<string> RoundTripAsync(PkceClient client, string user, Func<string, Task<string>> browser)
    {
        // README:client-flow
        string url = await client.GetAuthorizationUrlAsync(user, [new("prompt", "consent")]);
        string callbackUri = await browser(url); // the user signs in; the server redirects to the callback
        try
        {
            PkceTokenResponse token = await client.HandleCallbackAsync(user, callbackUri);
            return $"signed in, token expires in {token.ExpiresIn?.TotalSeconds ?? 0} s";
        }
        catch (AuthorizationDeniedException e)
        {
            return $"declined: {e.OAuthError}";
        }
        catch (PkceException e) // StateForgeryException, PkceFlowException, ...
        {
            return $"failed: {e.Code}: {e.Message}";
        }
        // README:end
    }
}
