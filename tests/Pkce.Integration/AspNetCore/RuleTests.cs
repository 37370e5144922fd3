using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pkce.AspNetCore;

namespace Pkce.Integration.AspNetCore;

/// <summary>
/// Rules of docs/security.md that the ASP.NET Core package enforces before any request is made, each tested through
/// the package's public entry points (options validation, the user API client) or, for the browser binding's value,
/// the internal function every flow calls.
/// </summary>
public sealed class RuleTests
{
    private static IServiceProvider Services(string? returnPath)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pkce:Providers:local:ClientId"] = "app",
            ["Pkce:Providers:local:RootUrl"] = "https://as.example/",
            ["Pkce:Providers:local:RedirectUri"] = "https://app.example/connect/local/callback",
            ["Pkce:Providers:local:ReturnPath"] = returnPath,
        }).Build();
        var services = new ServiceCollection();
        services.AddPkce(configuration.GetSection("Pkce"));
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// RFC 9700 §4.11.1: "Clients MUST NOT expose open redirectors". The only redirect target of the callback is the
    /// provider's configured return path; whatever a browser would read as another host (<c>//host</c>, and
    /// <c>/\host</c>, which browsers normalise to <c>//host</c>), an absolute URL or a relative path is refused.
    /// </summary>
    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("/\\/evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("home")]
    [InlineData("/home page")]
    [InlineData("/home\r\nLocation: https://evil.example/")]
    public void A_return_path_that_leaves_the_app_is_refused_on_start(string returnPath)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Services(returnPath).GetRequiredService<IOptionsMonitor<PkceProviderOptions>>().Get("local"));
        Assert.Contains("is not a path of this app", failure.Message);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/home")]
    [InlineData("/a/b?tab=connections#top")]
    [InlineData("/caf%C3%A9")]
    public void A_return_path_of_this_app_is_accepted(string returnPath) =>
        Assert.Equal(returnPath, Services(returnPath).GetRequiredService<IOptionsMonitor<PkceProviderOptions>>().Get("local").ReturnPath);

    /// <summary>
    /// RFC 6749 §10.3: "Access token credentials MUST only be transmitted using TLS". The user API client sends the
    /// user's token, so its base must be https; http is allowed on a loopback host only (a development API).
    /// </summary>
    [Theory]
    [InlineData("http://api.example/")]
    [InlineData("http://10.0.0.1/api/")]
    [InlineData("ftp://api.example/")]
    [InlineData("ws://127.0.0.1/")]
    public void A_user_api_that_could_carry_the_token_without_tls_is_refused(string apiBase)
    {
        var services = new ServiceCollection();
        services.AddPkce();
        var failure = Assert.Throws<ArgumentException>(() => services.AddPkceUserApi("local", new Uri(apiBase)));
        Assert.Contains("must be an absolute https URL", failure.Message);
    }

    [Theory]
    [InlineData("https://api.example/v4/")]
    [InlineData("http://127.0.0.1:5080/api/")]
    [InlineData("http://localhost:5080/api/")]
    [InlineData("http://[::1]:5080/api/")]
    public void A_user_api_over_tls_or_on_loopback_is_accepted(string apiBase)
    {
        var services = new ServiceCollection();
        services.AddPkce();
        services.AddPkceUserApi("local", new Uri(apiBase));
        var options = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<Microsoft.Extensions.Http.HttpClientFactoryOptions>>().Get("local");
        using var client = new HttpClient();
        foreach (var action in options.HttpClientActions) action(client);
        Assert.Equal(new Uri(apiBase), client.BaseAddress);
    }

    /// <summary>
    /// RFC 6749 §10.10: "The probability of an attacker guessing generated tokens ... MUST be less than or equal to
    /// 2^(-128)". The browser binding's value (the cookie that ties a pending authorization to this browser) is 256
    /// random bits, base64url without padding, and never repeats.
    /// </summary>
    [Fact]
    public void A_browser_binding_value_is_256_random_bits_that_never_repeat()
    {
        var values = Enumerable.Range(0, 20_000).Select(_ => BrowserBinding.NewValue()).ToList();
        Assert.All(values, value =>
        {
            Assert.Equal(43, value.Length);
            Assert.Equal(32, WebEncoders.Base64UrlDecode(value).Length);
        });
        Assert.Equal(values.Count, values.Distinct(StringComparer.Ordinal).Count());
        // Every bit position takes both values: a constant byte (a broken generator, a zeroed buffer) shows here.
        var bytes = values.Select(WebEncoders.Base64UrlDecode).ToList();
        for (var position = 0; position < 32 * 8; position++)
        {
            var ones = bytes.Count(b => (b[position / 8] >> (position % 8) & 1) == 1);
            Assert.InRange(ones, values.Count / 4, values.Count * 3 / 4);
        }
    }
}
