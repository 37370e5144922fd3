using System.Net;
using System.Text.RegularExpressions;

namespace Pkce.Integration.OidcProvider;

/// <summary>
/// A headless browser for oidc-provider's development interactions (<c>features.devInteractions</c>): it GETs the
/// authorization URL, follows the server's redirects itself, and submits the two pages it meets as a person
/// would: the login form (<c>prompt=login</c>, any login and password) and the consent form (<c>prompt=consent</c>).
/// </summary>
internal static partial class DevInteractionBrowser
{
    /// <summary>Login, consent and the redirects between them take five to seven responses.</summary>
    private const int MaxSteps = 12;

    [GeneratedRegex("""<form[^>]*\saction="(?<action>[^"]*)"[^>]*method="post"[^>]*>\s*<input type="hidden" name="prompt" value="(?<prompt>[a-z]+)"/>""")]
    private static partial Regex PromptForm();

    public static async Task<string> SignInAsync(Uri issuer, IReadOnlyList<string> redirectUris, string authorizationUrl, string login)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };
        var address = new Uri(authorizationUrl);
        var response = await browser.GetAsync(address);
        var trail = new List<string> { $"GET {address.AbsolutePath} -> {(int)response.StatusCode}" };
        try
        {
            for (var step = 0; step < MaxSteps; step++)
            {
                if (response.Headers.Location is { } location)
                {
                    var next = new Uri(address, location);
                    if (!SameOrigin(next, issuer))
                    {
                        Assert.True(redirectUris.Contains(next.GetLeftPart(UriPartial.Path)),
                            $"the server redirected to {next}, which is not a registered redirect URI ({string.Join(", ", trail)})");
                        return next.OriginalString;
                    }
                    response.Dispose();
                    address = next;
                    response = await browser.GetAsync(address);
                    trail.Add($"GET {address.AbsolutePath} -> {(int)response.StatusCode}");
                    continue;
                }

                var page = await response.Content.ReadAsStringAsync();
                var form = PromptForm().Match(page);
                if (response.StatusCode != HttpStatusCode.OK || !form.Success)
                    throw new Xunit.Sdk.XunitException(
                        $"expected a redirect or a login/consent form, got {(int)response.StatusCode} ({string.Join(", ", trail)}): {Excerpt(page)}");
                KeyValuePair<string, string>[] fields = form.Groups["prompt"].Value switch
                {
                    "login" => [new("prompt", "login"), new("login", login), new("password", "any password")],
                    "consent" => [new("prompt", "consent")],
                    var other => throw new Xunit.Sdk.XunitException($"unknown dev interaction prompt '{other}': {Excerpt(page)}"),
                };
                response.Dispose();
                address = new Uri(address, WebUtility.HtmlDecode(form.Groups["action"].Value));
                response = await browser.PostAsync(address, new FormUrlEncodedContent(fields));
                trail.Add($"POST {address.AbsolutePath} ({fields[0].Value}) -> {(int)response.StatusCode}");
            }
            throw new Xunit.Sdk.XunitException($"no redirect to the client after {MaxSteps} steps: {string.Join(", ", trail)}");
        }
        finally
        {
            response.Dispose();
        }
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static string Excerpt(string page) => page.Length <= 400 ? page : page[..400] + "...";
}
