using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pkce.Integration;

/// <summary>Programs a test runs to their end (nested <c>dotnet</c> commands, installed tools), each with a deadline.</summary>
internal static partial class Processes
{
    [GeneratedRegex(@"^global-packages: (?<path>.+)$", RegexOptions.Multiline)]
    private static partial Regex GlobalPackages();

    /// <summary>Runs <paramref name="program"/> with stdin closed; fails the test when it outlives <paramref name="patience"/>.</summary>
    public static async Task<(int Exit, string Out, string Error)> RunAsync(
        string program, IEnumerable<string> args, string directory, IReadOnlyDictionary<string, string>? environment, TimeSpan patience)
    {
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        // The test host runs under `dotnet test`; its MSBuild variables would steer a nested build to the outer one's SDK state.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {patience}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The machine's global packages folder: the packages every restore here already used, so nothing is downloaded.</summary>
    public static async Task<string> GlobalPackagesFolderAsync(string directory)
    {
        var locals = await RunAsync("dotnet", ["nuget", "locals", "global-packages", "--list"], directory, null, TimeSpan.FromMinutes(1));
        Assert.Equal(0, locals.Exit);
        var cache = GlobalPackages().Match(locals.Out).Groups["path"].Value.Trim();
        Assert.True(Directory.Exists(cache), $"no global packages folder in: {locals.Out}");
        return cache;
    }
}
