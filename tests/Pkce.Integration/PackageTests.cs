using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;
using static Pkce.Integration.Processes;

namespace Pkce.Integration;

/// <summary>
/// The solution's packable projects packed as CI packs them, once for <see cref="PackageTests"/>: Release, with
/// <c>CI=true</c> (deterministic paths), into <c>artifacts/packages</c>, which stays for CI to keep. The build is a
/// clean one in <c>artifacts/build</c> (<c>--artifacts-path</c>), deleted afterwards: an incremental build in the
/// projects' own bin folders would reuse assemblies that another Release build (the README's tool install) compiled
/// without <c>CI=true</c>, and MSBuild does not notice that change of path mapping.
/// </summary>
public sealed class PackedPackages : IAsyncLifetime
{
    private static string RootOf([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    public string Root { get; } = RootOf();

    public string Folder => Path.Combine(Root, "artifacts", "packages");

    private string Build => Path.Combine(Root, "artifacts", "build");

    /// <summary>The one version, from the root Directory.Build.props.</summary>
    public string Version => XDocument.Load(Path.Combine(Root, "Directory.Build.props")).Descendants("Version").Single().Value;

    public (int Exit, string Out, string Error) Pack { get; private set; }

    public TimeSpan Took { get; private set; }

    public async Task InitializeAsync()
    {
        foreach (var folder in new[] { Folder, Build }) // no package or assembly of an earlier pack is judged
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        var clock = Stopwatch.StartNew();
        Pack = await RunAsync("dotnet", ["pack", "Pkce.sln", "-c", "Release", "-o", Folder, "--artifacts-path", Build], Root,
            new Dictionary<string, string> { ["CI"] = "true" }, TimeSpan.FromMinutes(20));
        Took = clock.Elapsed;
        if (Directory.Exists(Build)) Directory.Delete(Build, recursive: true);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The packed file; fails with the pack's output when it is missing.</summary>
    public string File(string name)
    {
        var path = Path.Combine(Folder, name);
        Assert.True(System.IO.File.Exists(path), $"no {name} in {Folder} (dotnet pack exit {Pack.Exit}):\n{Pack.Out}\n{Pack.Error}");
        return path;
    }
}

/// <summary>
/// The packages a stranger would install: each library's metadata and contents, a project outside the solution that
/// runs the README's Quick Start from them, and the packed tool installed with <c>--tool-path</c>.
/// </summary>
[Collection(nameof(RunsAlone))]
public sealed class PackageTests(PackedPackages packed, ITestOutputHelper output) : IClassFixture<PackedPackages>
{
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    /// <summary>A project under src/: its package id, assembly, description and README, from its project file.</summary>
    private sealed record Library(string Project, string Folder, string Id, string Assembly, string Description, bool IsTool);

    private IReadOnlyList<Library> Libraries() =>
        Directory.GetDirectories(Path.Combine(packed.Root, "src"))
            .SelectMany(folder => Directory.GetFiles(folder, "*.*proj"))
            .Select(file =>
            {
                var project = XDocument.Load(file);
                string? Property(string name) => project.Descendants(name).Select(e => e.Value).FirstOrDefault();
                var name = Path.GetFileNameWithoutExtension(file);
                return new Library(name, Path.GetDirectoryName(file)!, Property("PackageId") ?? name, Property("AssemblyName") ?? name,
                    Property("Description") ?? "", Property("PackAsTool") == "true");
            })
            .ToList();

    private static XElement Nuspec(ZipArchive package) =>
        XDocument.Load(package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).Root!
            .Elements().Single(e => e.Name.LocalName == "metadata");

    private static string? Field(XElement metadata, string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string Text(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// <summary>Every document of the PDB has its source embedded, under the deterministic root <c>/_/</c>.</summary>
    private static void SourcesAreEmbedded(ZipArchive symbols, string pdbPath)
    {
        var entry = symbols.GetEntry(pdbPath);
        Assert.True(entry is not null, $"no {pdbPath} in the symbol package: {string.Join(", ", symbols.Entries.Select(e => e.FullName))}");
        using var copy = new MemoryStream();
        using (var stream = entry.Open()) stream.CopyTo(copy);
        copy.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
        var reader = provider.GetMetadataReader();
        var documents = reader.Documents.Select(handle => (Handle: handle, Name: reader.GetString(reader.GetDocument(handle).Name))).ToList();
        Assert.NotEmpty(documents);
        var embedded = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Where(info => reader.GetGuid(info.Kind) == EmbeddedSource && info.Parent.Kind == HandleKind.Document)
            .Select(info => (DocumentHandle)info.Parent)
            .ToHashSet();
        Assert.All(documents, document =>
        {
            Assert.True(embedded.Contains(document.Handle), $"{pdbPath}: {document.Name} is not embedded");
            Assert.True(document.Name.StartsWith("/_/", StringComparison.Ordinal), $"{pdbPath}: {document.Name} is not a deterministic path");
        });
    }

    [Fact]
    public void Every_project_in_src_packs_at_the_one_version_with_its_readme_licence_docs_and_symbols()
    {
        output.WriteLine($"dotnet pack Pkce.sln -c Release: {packed.Took.TotalSeconds:0} s");
        Assert.True(packed.Pack.Exit == 0, $"dotnet pack failed ({packed.Pack.Exit}):\n{packed.Pack.Out}\n{packed.Pack.Error}");
        var version = packed.Version;
        var libraries = Libraries();
        Assert.Equal(8, libraries.Count);
        Assert.Contains($"(version {version},", File.ReadAllText(Path.Combine(packed.Root, "README.md"))); // README's Install says which

        foreach (var library in libraries)
        {
            using var package = ZipFile.OpenRead(packed.File($"{library.Id}.{version}.nupkg"));
            var metadata = Nuspec(package);
            Assert.Equal(library.Id, Field(metadata, "id"));
            Assert.Equal(version, Field(metadata, "version"));
            Assert.False(string.IsNullOrWhiteSpace(library.Description), $"{library.Project} has no Description");
            Assert.Equal(library.Description, Field(metadata, "description"));
            var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
            Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
            Assert.Equal("README.md", Field(metadata, "readme"));
            Assert.Equal(File.ReadAllText(Path.Combine(library.Folder, "README.md")), Text(package.GetEntry("README.md")!));
            Assert.Null(Field(metadata, "projectUrl")); // the repository has no remote: no address is made up

            if (library.IsTool)
            {
                // A .NET tool: a pointer package, and one package per runtime with the command and its symbols.
                Assert.Equal("DotnetTool", metadata.Descendants().Single(e => e.Name.LocalName == "packageType").Attribute("name")!.Value);
                Assert.False(File.Exists(Path.Combine(packed.Folder, $"{library.Id}.{version}.snupkg")), "the pointer package has no assembly, so no symbols");
                foreach (var runtime in new[] { "linux-x64", "any" })
                {
                    using var tool = ZipFile.OpenRead(packed.File($"{library.Id}.{runtime}.{version}.nupkg"));
                    var settings = XDocument.Load(tool.GetEntry($"tools/net10.0/{runtime}/DotnetToolSettings.xml")!.Open());
                    Assert.Equal("pkce", settings.Descendants("Command").Single().Attribute("Name")!.Value);
                    Assert.NotNull(tool.GetEntry($"tools/net10.0/{runtime}/{library.Assembly}.dll"));
                    using var toolSymbols = ZipFile.OpenRead(packed.File($"{library.Id}.{runtime}.{version}.snupkg"));
                    SourcesAreEmbedded(toolSymbols, $"tools/net10.0/{runtime}/{library.Assembly}.pdb");
                }
                continue;
            }

            Assert.NotNull(package.GetEntry($"lib/net10.0/{library.Assembly}.dll"));
            Assert.Contains("<member name=", Text(package.GetEntry($"lib/net10.0/{library.Assembly}.xml")!));
            using var symbols = ZipFile.OpenRead(packed.File($"{library.Id}.{version}.snupkg"));
            SourcesAreEmbedded(symbols, $"lib/net10.0/{library.Assembly}.pdb");
        }

        // The development server says what it is in its package name and description.
        var authority = Assert.Single(libraries, l => l.Project == "Pkce.LocalAuthority");
        Assert.StartsWith("Pkce.Testing.", authority.Id);
        Assert.Contains("FOR TESTS AND DEMOS ONLY", authority.Description);

        // Tests, samples and benchmarks are not packed.
        var expected = libraries.SelectMany(l => l.IsTool ? new[] { l.Id, $"{l.Id}.linux-x64", $"{l.Id}.any" } : [l.Id])
            .Select(id => $"{id}.{version}.nupkg").Order().ToList();
        Assert.Equal(expected, Directory.GetFiles(packed.Folder, "*.nupkg").Select(f => Path.GetFileName(f)).Order().ToList());
    }

    [Fact]
    public async Task A_project_outside_the_solution_runs_the_quick_start_from_the_packages_against_the_local_authority()
    {
        var root = packed.Root;
        var consumer = Path.Combine(root, "tests", "PackageConsumer");
        var project = XDocument.Load(Path.Combine(consumer, "PackageConsumer.csproj"));
        Assert.DoesNotContain("PackageConsumer", File.ReadAllText(Path.Combine(root, "Pkce.sln")));
        Assert.Empty(project.Descendants("ProjectReference"));
        var references = project.Descendants("PackageReference").ToDictionary(r => r.Attribute("Include")!.Value, r => r.Attribute("Version")!.Value);
        Assert.Equal(["Pkce.Facade", "Pkce.Testing.LocalAuthority"], references.Keys.Order());
        Assert.All(references, r => Assert.True(r.Value == packed.Version,
            $"tests/PackageConsumer references {r.Key} {r.Value}, the packages are {packed.Version}: change its versions too"));
        // The README's Quick Start blocks are the regions of this file, compiled by the consumer as it is.
        var quickStart = Assert.Single(project.Descendants("Compile")).Attribute("Include")!.Value;
        Assert.Contains("// README:manager\n", File.ReadAllText(Path.Combine(consumer, quickStart)).Replace("\r\n", "\n"));
        packed.File($"Pkce.Facade.{packed.Version}.nupkg");

        // Restored into a folder of this run (never a copy cached by an earlier pack of the same version); the
        // packages that are not ours come from the machine's global packages folder, so nothing is downloaded.
        var cache = await GlobalPackagesFolderAsync(root);
        var restored = Directory.CreateTempSubdirectory("pkce-consumer-packages-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            var run = await RunAsync("dotnet",
                ["run", "--project", consumer, $"-p:RestorePackagesPath={restored}", $"-p:RestoreFallbackFolders={cache}"],
                root, null, TimeSpan.FromMinutes(8));
            output.WriteLine($"restore, build and run of tests/PackageConsumer: {clock.Elapsed.TotalSeconds:0} s\n{run.Out}{run.Error}");
            Assert.True(run.Exit == 0, $"the consumer failed ({run.Exit}):\n{run.Out}\n{run.Error}");
            Assert.Matches(new Regex(@"^signed in \(Bearer, \d+ characters\)$", RegexOptions.Multiline), run.Out);
            Assert.Contains("demo API: 200 for sub test-user, scope read_api", run.Out);

            // Each Pkce package it used is the one just packed (same bytes), from the pack folder.
            using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(consumer, "obj", "project.assets.json")));
            var ours = assets.RootElement.GetProperty("libraries").EnumerateObject().Where(l => l.Name.StartsWith("Pkce.", StringComparison.Ordinal)).ToList();
            Assert.Equal(["Pkce.Core", "Pkce.Facade", "Pkce.Testing.LocalAuthority"], ours.Select(l => l.Name.Split('/')[0]).Order());
            foreach (var library in ours)
            {
                var (id, version) = (library.Name.Split('/')[0], library.Name.Split('/')[1]);
                Assert.Equal(packed.Version, version);
                var packedHash = Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(packed.File($"{id}.{version}.nupkg"))));
                Assert.True(packedHash == library.Value.GetProperty("sha512").GetString(), $"{id} {version} did not come from this pack");
            }
        }
        finally
        {
            Directory.Delete(restored, recursive: true);
        }
    }

    [Fact]
    public async Task The_packed_tool_installs_with_tool_path_and_its_demo_prints_a_token()
    {
        var work = Directory.CreateTempSubdirectory("pkce-tool-path-").FullName;
        // A home and a packages folder of the test's own: the tool comes from the pack folder, not from a cache.
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_HOME"] = Path.Combine(work, "home"), ["NUGET_PACKAGES"] = Path.Combine(work, "packages") };
        var tools = Path.Combine(work, "tools");
        try
        {
            packed.File($"Pkce.Cli.{packed.Version}.nupkg");
            var clock = Stopwatch.StartNew();
            var install = await RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", packed.Folder, "Pkce.Cli", "--version", packed.Version],
                work, environment, TimeSpan.FromMinutes(5));
            output.WriteLine($"dotnet tool install --tool-path: {clock.Elapsed.TotalSeconds:0.0} s\n{install.Out}");
            Assert.True(install.Exit == 0, $"dotnet tool install failed ({install.Exit}):\n{install.Out}\n{install.Error}");

            var pkce = Path.Combine(tools, "pkce");
            var version = await RunAsync(pkce, ["--version"], work, environment, TimeSpan.FromMinutes(1));
            Assert.StartsWith(packed.Version + "+", version.Out); // + the commit, which Source Link records

            clock.Restart();
            var demo = await RunAsync(pkce, ["demo"], work, environment, TimeSpan.FromMinutes(2));
            output.WriteLine($"pkce demo: {clock.Elapsed.TotalSeconds:0.0} s\n{demo.Error}");
            Assert.True(demo.Exit == 0, $"pkce demo failed ({demo.Exit}):\n{demo.Error}");
            using var token = JsonDocument.Parse(demo.Out);
            Assert.False(string.IsNullOrEmpty(token.RootElement.GetProperty("access_token").GetString()));
            Assert.Equal("Bearer", token.RootElement.GetProperty("token_type").GetString());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
