using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Pkce.Integration.Processes;

namespace Pkce.Integration;

/// <summary>Packing and installing use the whole machine for a while; run them alone so timing-sensitive tests are not starved.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;

/// <summary>The repository as a newcomer meets it: README's install line, and the files and history it is made of.</summary>
[Collection(nameof(RunsAlone))]
public sealed partial class RepositoryTests
{
    private static string Root([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    /// <summary>Package registries' host names, assembled so that this file does not contain them either.</summary>
    private static readonly string[] RegistryHosts = [string.Join('.', "nuget", "org"), string.Join('.', "npmjs", "org"), string.Join('.', "npmjs", "com")];

    [GeneratedRegex(@"`(?<command>dotnet pack [^`]+ && dotnet tool install --global [^`]+)`")]
    private static partial Regex InstallLine();

    [Fact]
    public async Task The_readme_install_command_works_as_written_from_the_repository_root()
    {
        var root = Root();
        var matches = InstallLine().Matches(File.ReadAllText(Path.Combine(root, "README.md")));
        var command = Assert.Single(matches).Groups["command"].Value;
        var output = Path.Combine(root, Regex.Match(command, @" -o (?<folder>\S+)").Groups["folder"].Value);
        var outputExisted = Directory.Exists(output);

        // The packages every restore here uses, so nothing is downloaded; --global then installs under a home of the test's own.
        var cache = await GlobalPackagesFolderAsync(root);
        var home = Directory.CreateTempSubdirectory("pkce-tool-home-").FullName;
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = home, ["NUGET_PACKAGES"] = cache };
        try
        {
            var install = await RunAsync("bash", ["-c", command], root, environment, TimeSpan.FromMinutes(8));
            Assert.True(install.Exit == 0, $"`{command}` failed ({install.Exit}):\n{install.Out}\n{install.Error}");

            var pkce = Path.Combine(home, ".dotnet", "tools", "pkce");
            Assert.True(File.Exists(pkce), $"the tool is not where --global puts it under DOTNET_CLI_HOME:\n{install.Out}");
            var demo = await RunAsync(pkce, ["demo"], root, environment, TimeSpan.FromMinutes(2));
            Assert.True(demo.Exit == 0, $"pkce demo failed ({demo.Exit}):\n{demo.Error}");
            using var token = JsonDocument.Parse(demo.Out);
            Assert.False(string.IsNullOrEmpty(token.RootElement.GetProperty("access_token").GetString()));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
            if (!outputExisted && Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task No_tracked_file_or_commit_message_names_a_package_registry_host()
    {
        var root = Root();
        var files = await RunAsync("git", ["ls-files", "-z"], root, null, TimeSpan.FromMinutes(1));
        Assert.Equal(0, files.Exit);
        var tracked = files.Out.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("NuGet.config", tracked);
        var found = new List<string>();
        foreach (var file in tracked)
        {
            var path = Path.Combine(root, file);
            if (!File.Exists(path)) continue; // deleted in the work tree, not yet committed
            var text = Encoding.Latin1.GetString(File.ReadAllBytes(path));
            found.AddRange(RegistryHosts.Where(host => text.Contains(host, StringComparison.OrdinalIgnoreCase)).Select(host => $"{file}: {host}"));
        }

        var log = await RunAsync("git", ["log", "--format=%x01%h %B"], root, null, TimeSpan.FromMinutes(1));
        Assert.Equal(0, log.Exit);
        found.AddRange(log.Out.Split('\u0001', StringSplitOptions.RemoveEmptyEntries)
            .Where(message => RegistryHosts.Any(host => message.Contains(host, StringComparison.OrdinalIgnoreCase)))
            .Select(message => $"commit {message.Split(' ')[0]}: {message.Split('\n')[0]}"));
        Assert.True(found.Count == 0, string.Join("\n", found));
    }
}
