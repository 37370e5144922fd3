using System.Text.RegularExpressions;

namespace Pkce.Integration;

/// <summary>Every C# and F# block in README.md is a region of a file in samples/, which CI compiles.</summary>
public sealed partial class ReadmeTests
{
    private static string Root([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    [GeneratedRegex(@"```(?:csharp|fsharp)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^[ \t]*// README:(?<name>[a-z-]+)\n(?<body>.*?)^[ \t]*// README:end", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Region();

    private static string Dedent(string text)
    {
        var lines = text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart())).Trim('\n');
    }

    [Fact]
    public void Every_code_block_in_the_readme_is_a_compiled_sample_region()
    {
        var readme = File.ReadAllText(Path.Combine(Root(), "README.md")).Replace("\r\n", "\n");
        var regions = Directory.GetFiles(Path.Combine(Root(), "samples"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".fs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Region().Matches(File.ReadAllText(f).Replace("\r\n", "\n")))
            .ToDictionary(m => m.Groups["name"].Value, m => Dedent(m.Groups["body"].Value));
        var blocks = CodeBlock().Matches(readme).Select(m => Dedent(m.Groups[1].Value)).ToList();
        Assert.NotEmpty(blocks);
        Assert.All(blocks, block => Assert.Contains(block, regions.Values));
        Assert.All(regions, region => Assert.Contains(region.Value, blocks));
    }
}
