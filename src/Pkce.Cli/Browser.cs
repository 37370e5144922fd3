using System.Diagnostics;

namespace Pkce.Cli;

/// <summary>Shows the user the authorization URL and returns once it is shown (not once the user is done); false when it could not.</summary>
public delegate Task<bool> OpenBrowser(string url, CancellationToken cancellationToken);

/// <summary>Ways to send the user to the authorization URL.</summary>
public static class Browsers
{
    /// <summary>
    /// RFC 8252 §6: "native apps MUST NOT use embedded user-agents"; this opens the system browser with the
    /// platform's opener (xdg-open, open, or the Windows shell).
    /// </summary>
    public static Task<bool> System(string url, CancellationToken cancellationToken)
    {
        var opener = OperatingSystem.IsWindows() ? new ProcessStartInfo(url) { UseShellExecute = true }
            : OperatingSystem.IsMacOS() ? new ProcessStartInfo("open", [url])
            : new ProcessStartInfo("xdg-open", [url]);
        opener.RedirectStandardError = !OperatingSystem.IsWindows();
        opener.RedirectStandardOutput = !OperatingSystem.IsWindows();
        try
        {
            using var process = Process.Start(opener);
            return Task.FromResult(process is not null);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return Task.FromResult(false);
        }
    }

    /// <summary>Opens nothing: the URL printed on stderr is all the user gets (<c>--no-browser</c>).</summary>
    public static Task<bool> None(string url, CancellationToken cancellationToken) => Task.FromResult(false);

    /// <summary>
    /// Plays a browser for a server that signs users in without a page (the demo's local authority): requests the
    /// authorization URL and then the URL it redirects to, which is the callback.
    /// </summary>
    public static OpenBrowser FollowRedirect(HttpClient client) => async (url, cancellationToken) =>
    {
        using var authorization = await client.GetAsync(url, cancellationToken);
        if (authorization.Headers.Location is not { } callback) return false;
        // Like a real browser, the page load goes on after the browser was "opened": the command answers it
        // only once the code is exchanged.
        _ = client.GetAsync(callback, cancellationToken).ContinueWith(
            load => { if (load.IsCompletedSuccessfully) load.Result.Dispose(); }, TaskScheduler.Default);
        return true;
    };
}
