using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Pkce.AspNetCore;

namespace Pkce.Integration.NoSecret;

/// <summary>
/// What an ASP.NET Core app with Pkce handles, recorded as it happens: the verifier of each pending connection as it
/// is stored, and the tokens (and the providers' DPoP keys) as they are written, decrypted with the app's own Data
/// Protection keys; and every answer the app gives a browser.
/// </summary>
internal static class RecordingStores
{
    /// <summary>The root purpose the package protects tokens with (<c>ProtectedTokenStore.Purpose</c>); a change makes the test fail, never pass.</summary>
    private const string TokenPurpose = "Pkce.AspNetCore.Tokens.v1";

    /// <summary>Wraps the app's <see cref="PkceStores"/> (registered last) so that what passes through them is recorded in <paramref name="ledger"/>.</summary>
    public static void Record(IServiceCollection services, SecretLedger ledger)
    {
        var original = services.Last(d => d.ServiceType == typeof(PkceStores));
        services.Remove(original);
        services.AddSingleton(provider =>
        {
            var stores = original.ImplementationInstance as PkceStores ?? (PkceStores)original.ImplementationFactory!(provider);
            var root = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector(TokenPurpose);
            return stores with
            {
                Pending = stores.Pending with
                {
                    Save = (pending, ct) =>
                    {
                        ledger.Secret("code verifier", pending.Verifier.Value);
                        return stores.Pending.Save(pending, ct);
                    },
                },
                Tokens = stores.Tokens with
                {
                    Swap = (key, version, next, ct) =>
                    {
                        next.Tokens.IfSome(tokens => Open(root.CreateProtector(key.Id), tokens, ledger));
                        return stores.Tokens.Swap(key, version, next, ct);
                    },
                },
            };
        });
    }

    private static void Open(IDataProtector protector, TokenSet tokens, SecretLedger ledger)
    {
        var access = protector.Unprotect(tokens.AccessToken);
        if (tokens.TokenType == "DPoP-Key")
        {
            var colon = access.IndexOf(':');
            using var key = DpopKey.Import(access[..colon], Convert.FromBase64String(access[(colon + 1)..])).IfLeft(e => throw new InvalidOperationException(e.Message));
            ledger.Key(key);
            return;
        }
        ledger.Secret("access token", access);
        tokens.RefreshToken.IfSome(refresh => ledger.Secret("refresh token", protector.Unprotect(refresh)));
    }

    /// <summary>A handler that records every answer from <paramref name="origin"/> as the browser sees it.</summary>
    public sealed class Pages(SecretLedger ledger, Uri origin) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri is { } uri && Uri.Compare(uri, origin, UriComponents.SchemeAndServer, UriFormat.UriEscaped, StringComparison.OrdinalIgnoreCase) == 0)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                ledger.Shown($"the app's answer to {request.Method} {uri.AbsolutePath}", await SecretLedger.TextOf(response));
            }
            return response;
        }
    }

    /// <summary>A browser (cookies, no redirects followed) whose every answer from <paramref name="origin"/> is recorded.</summary>
    public static HttpClient Browser(SecretLedger ledger, Uri origin, CookieContainer cookies) =>
        new(new Pages(ledger, origin) { InnerHandler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = cookies } })
        {
            BaseAddress = origin,
            Timeout = TimeSpan.FromSeconds(30),
        };
}
