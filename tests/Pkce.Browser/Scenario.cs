using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Pkce.AspNetCore;
using Pkce.WebSample;
using static Microsoft.Playwright.Assertions;

namespace Pkce.Browser;

/// <summary>
/// One test's world: the web sample started in-process on a free port of 127.0.0.1 with its own local authority
/// (consent page on), data directory and logs, the browser contexts the test opened, and the access tokens the
/// sample sent to the API (recorded by a handler behind the user API's own, so the sample needs no page that
/// shows a token).
/// </summary>
public sealed class Scenario : IAsyncDisposable
{
    private readonly IBrowser _browser;
    private readonly string _data;
    private readonly List<IBrowserContext> _contexts = [];

    private Scenario(IBrowser browser, string data, WebSampleHost sample, ConcurrentQueue<string> tokens, LogLines log) =>
        (_browser, _data, Sample, ApiTokens, Log) = (browser, data, sample, tokens, log);

    public WebSampleHost Sample { get; }

    public LocalAuthority.LocalAuthority Authority => Sample.Authority ?? throw new InvalidOperationException("the sample runs without its local authority");

    /// <summary>Every access token the sample sent to the API, in order.</summary>
    public ConcurrentQueue<string> ApiTokens { get; }

    /// <summary>What the sample logged.</summary>
    public LogLines Log { get; }

    /// <summary>Every page of every context the test opened (for the screenshots of a failure).</summary>
    public IEnumerable<IPage> Pages => _contexts.SelectMany(context => context.Pages);

    /// <summary>Starts the sample on a free port with a new data directory; <paramref name="settings"/> (<c>--Key=value</c>) come after, so they win.</summary>
    public static async Task<Scenario> StartAsync(IBrowser browser, IEnumerable<string> settings)
    {
        var data = Directory.CreateTempSubdirectory("pkce-websample-").FullName;
        var tokens = new ConcurrentQueue<string>();
        var log = new LogLines();
        var sample = await WebSampleHost.StartAsync(
            ["--Sample:Port=0", $"--Sample:DataDirectory={data}", .. settings],
            builder =>
            {
                builder.Logging.ClearProviders().AddProvider(log);
                builder.Services.AddHttpClient(WebSampleHost.Provider).AddHttpMessageHandler(() => new BearerRecorder(tokens));
            });
        return new Scenario(browser, data, sample, tokens, log);
    }

    /// <summary>A new browser context (its own cookies: another browser, as far as the sample can tell).</summary>
    public async Task<IBrowserContext> NewContextAsync()
    {
        var context = await _browser.NewContextAsync(new() { BaseURL = Sample.BaseUrl.AbsoluteUri, ViewportSize = new() { Width = 900, Height = 600 } });
        context.SetDefaultTimeout(15_000);
        _contexts.Add(context);
        return context;
    }

    /// <summary>A page of a new context, signed in as the test account on the sign-in page.</summary>
    public async Task<IPage> SignedInPageAsync()
    {
        var page = await (await NewContextAsync()).NewPageAsync();
        await SignInAsync(page);
        return page;
    }

    public static async Task SignInAsync(IPage page)
    {
        await page.GotoAsync("/");
        await Expect(page.Locator("#user")).ToContainTextAsync("Not signed in");
        await page.ClickAsync("#signin");
        await page.FillAsync("#username", WebSampleHost.UserName);
        await page.FillAsync("#password", WebSampleHost.Password);
        await page.ClickAsync("#submit");
        await Expect(page.Locator("#user")).ToContainTextAsync($"Signed in as {WebSampleHost.UserName}");
    }

    /// <summary>Connect GitLab, Approve at the authority's consent page, back on the home page with the API's answer.</summary>
    public static async Task ConnectAsync(IPage page)
    {
        await page.ClickAsync("#connect");
        await page.ClickAsync("#approve");
        await Expect(page.Locator("#api")).ToBeVisibleAsync();
    }

    /// <summary>The test account's connection as the sample's store has it (read as the home page reads it).</summary>
    public Task<PkceConnection> ConnectionAsync()
    {
        var context = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, WebSampleHost.UserName)], "test")),
        };
        return Sample.Services.GetRequiredService<PkceConnections>().GetAsync(context, WebSampleHost.Provider);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        await Sample.DisposeAsync();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A file still open (SQLite's pool lets go a moment later) leaves the temporary directory behind.
        }
    }

    /// <summary>Sees the access token the user API handler attached, on its way to the API.</summary>
    private sealed class BearerRecorder(ConcurrentQueue<string> tokens) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is { Scheme: "Bearer", Parameter: { } token }) tokens.Enqueue(token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>The sample's log lines, kept to be printed when a test fails.</summary>
public sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines lines, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                lines._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
    }
}
