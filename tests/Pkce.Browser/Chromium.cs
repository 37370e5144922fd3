using Microsoft.Playwright;

namespace Pkce.Browser;

/// <summary>
/// One headless Chromium for the tests of a class: Debian's <c>chromium</c> package (<c>/usr/bin/chromium</c>),
/// driven by Playwright's driver from its NuGet package. Nothing is downloaded: no <c>playwright install</c>, whose
/// browser builds come from outside; <c>./test.sh</c> installs the Debian package when it is missing.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    /// <summary>Where Debian's package puts the browser.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium; ./test.sh does)");
        // Patient on a 2-core machine that runs the other test projects at the same time.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        // --no-sandbox: the tests run as root, where Chromium refuses to start with its sandbox.
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
    }
}
