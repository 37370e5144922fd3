using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Pkce.Integration.NoSecret;
using Pkce.WebSample;

namespace Pkce.Browser;

/// <summary>
/// No secret anywhere, the web sample: its pages fetched by an HTTP client with cookies (no Chromium needed), signed
/// in as the test account, through connecting (the local authority's consent page approved), an expired access token
/// renewed silently, a replayed, a forged and a denied callback, disconnecting and signing out, with the sample
/// logging everything at Trace. Every page the sample answers with and every log event is searched for the verifier,
/// the code and the tokens, recorded as the sample handles them.
/// </summary>
public sealed partial class NoSecretAnywhereWebSampleTests
{
    private readonly SecretLedger _ledger = new();

    [Fact]
    public async Task No_page_or_log_of_the_web_sample_shows_a_secret()
    {
        var data = Directory.CreateTempSubdirectory("pkce-nosecret-sample-").FullName;
        var log = new TraceLines();
        try
        {
            await using (var sample = await WebSampleHost.StartAsync(
                ["--Sample:Port=0", $"--Sample:DataDirectory={data}", "--Sample:AccessTokenLifetime=00:00:02"],
                builder =>
                {
                    builder.Logging.ClearProviders().AddProvider(log).AddFilter<TraceLines>(null, LogLevel.Trace);
                    RecordingStores.Record(builder.Services, _ledger);
                }))
                await BrowseAsync(sample);
            foreach (var line in log.Lines) _ledger.Shown("the sample's log", line);
            Assert.Contains(log.Lines, line => line.Contains(" Trace ", StringComparison.Ordinal));
            _ledger.AssertNoLeak("code verifier", "authorization code", "access token", "refresh token");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private async Task BrowseAsync(WebSampleHost sample)
    {
        using var browser = RecordingStores.Browser(_ledger, sample.BaseUrl, new CookieContainer());

        // Sign in with the page's own form.
        var signIn = await browser.GetStringAsync("signin");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("signin", Form(signIn, ("username", WebSampleHost.UserName), ("password", WebSampleHost.Password)))).StatusCode);
        Assert.Contains("Not connected", await browser.GetStringAsync(""));

        // Connect: the consent page approved; the home page shows the API's answer; after the token expired, again.
        var callback = await AuthorizeAsync(browser, "approve");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync(callback)).StatusCode);
        Assert.Contains("What the API returned for you", await browser.GetStringAsync(""));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var renewed = await browser.GetStringAsync("");
        Assert.Contains("What the API returned for you", renewed);
        Assert.True(_ledger.Count("refresh token") >= 2, "the expired access token was not renewed");

        // The callback again, a forged one, a denied one.
        await browser.GetAsync(callback);
        await browser.GetAsync((await AuthorizeAsync(browser, "approve")).Replace("state=", "state=forged"));
        await browser.GetAsync(await AuthorizeAsync(browser, "deny"));
        await browser.GetAsync("health");

        // Disconnect and sign out with the home page's forms.
        var home = await browser.GetStringAsync("");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync($"connect/{WebSampleHost.Provider}/disconnect", Form(home))).StatusCode);
        var disconnected = await browser.GetStringAsync("");
        Assert.Contains("Not connected", disconnected);
        await browser.PostAsync("signout", Form(disconnected));
        await browser.GetStringAsync("");
    }

    /// <summary>Starts connecting, answers the authority's consent page with <paramref name="decision"/>: the callback URL it redirects to.</summary>
    private async Task<string> AuthorizeAsync(HttpClient browser, string decision)
    {
        using var start = await browser.GetAsync($"connect/{WebSampleHost.Provider}");
        var authorization = start.Headers.Location ?? throw new Xunit.Sdk.XunitException($"the start answered {(int)start.StatusCode}");
        var page = await browser.GetStringAsync(authorization);
        var action = new Uri(authorization, WebUtility.HtmlDecode(FormAction().Match(page).Groups[1].Value));
        using var answer = await browser.PostAsync(action, new FormUrlEncodedContent(HiddenFields(page).Append(KeyValuePair.Create("decision", decision))));
        var callback = answer.Headers.Location?.OriginalString ?? throw new Xunit.Sdk.XunitException($"the consent page answered {(int)answer.StatusCode}");
        _ledger.Secret("authorization code", Regex.Match(callback, "[?&]code=([^&]+)") is { Success: true } code ? Uri.UnescapeDataString(code.Groups[1].Value) : null);
        return callback;
    }

    /// <summary>The page's hidden fields (its antiforgery token) and <paramref name="fields"/>, as a form post.</summary>
    private static FormUrlEncodedContent Form(string page, params (string Name, string Value)[] fields) =>
        new(HiddenFields(page).Concat(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))));

    private static IEnumerable<KeyValuePair<string, string>> HiddenFields(string page) =>
        HiddenInput().Matches(page).Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .DistinctBy(f => f.Key);

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\">")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();

    /// <summary>Every log event at every level, with its exception.</summary>
    private sealed class TraceLines : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(_lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull
            {
                lines.Enqueue($"{category} scope {Structured(state)}");
                return null;
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category} {logLevel} {eventId.Id} {formatter(state, exception)} {exception} {Structured(state)}");

            /// <summary>
            /// What a structured logger (JSON console, OpenTelemetry, Serilog) writes besides the message: every
            /// named value of the state, and the state itself.
            /// </summary>
            private static string Structured(object? state) => state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join(" ", values.Select(value => $"{value.Key}={value.Value}"))
                : state?.ToString() ?? "";
        }
    }
}
