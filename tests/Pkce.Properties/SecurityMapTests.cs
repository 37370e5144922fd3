using System.Text.RegularExpressions;

namespace Pkce.Properties;

/// <summary>
/// docs/security.md maps each rule to the code that enforces it and the test that proves it. This reads its tables
/// and checks every reference: a source path exists and every name after it appears in it as a word (each part of
/// <c>Type.Member</c>); a test path exists and every name after it is a method of it marked <c>[Fact]</c>,
/// <c>[Theory]</c> or <c>[Property]</c>. A cell without references must say why in words. Every broken reference is
/// listed, so a rename or a deleted test fails here rather than leaving the page wrong.
/// </summary>
public sealed partial class SecurityMapTests
{
    private const string MapPath = "docs/security.md";

    /// <summary>The sections the map must cover, each a heading of its own.</summary>
    private static readonly string[] Sections =
        ["RFC 7636", "RFC 6749 §10", "RFC 9700 §2", "RFC 9700 §4", "RFC 9207", "RFC 8252 §8", "RFC 9126", "RFC 9449", "RFC 7009"];

    /// <summary>Words that explain a cell with no reference.</summary>
    private static readonly string[] CodeReasons = ["out of scope", "not enforced", "not applicable"];

    private static readonly string[] TestReasons = ["not tested", "not applicable"];

    [Fact]
    public void EveryReferenceOfTheSecurityMapExists()
    {
        var root = RepositoryRoot();
        var map = Parse(File.ReadAllLines(Path.Combine(root, MapPath)));
        var problems = new List<string>();
        var texts = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? Text(string path) =>
            texts.TryGetValue(path, out var text) ? text
            : texts[path] = File.Exists(Path.Combine(root, path)) ? File.ReadAllText(Path.Combine(root, path)) : null;
        var testMethods = new Dictionary<string, System.Collections.Generic.HashSet<string>>(StringComparer.Ordinal);

        foreach (var section in Sections.Where(s => !map.Exists(r => r.Heading.Contains(s, StringComparison.Ordinal))))
            problems.Add($"no table under a heading naming {section}");
        if (map.Count < 100) problems.Add($"only {map.Count} rows were read; the tables' format may have changed");

        foreach (var row in map)
        {
            var where = $"line {row.Line} ({row.Heading}, § {row.Section})";
            if (row.Problem is not null)
            {
                problems.Add($"{where}: {row.Problem}");
                continue;
            }
            Check(row.Code, "src/", CodeReasons, (path, name) =>
                name.Split('.').All(part => Regex.IsMatch(WithoutComments(Text(path)!), $@"\b{Regex.Escape(part)}\b"))
                    ? null
                    : $"'{name}' does not appear in {path}");
            Check(row.Tests, "tests/", TestReasons, (path, name) =>
            {
                if (!testMethods.TryGetValue(path, out var methods)) testMethods[path] = methods = TestMethodsOf(Text(path)!);
                return methods.Contains(name) ? null : $"{path} has no test method '{name}'";
            });

            void Check(string cell, string under, string[] reasons, Func<string, string, string?> named)
            {
                var tokens = Backticked().Matches(cell).Select(m => m.Groups[1].Value).ToList();
                if (tokens.Count == 0)
                {
                    if (!reasons.Any(reason => cell.Contains(reason, StringComparison.OrdinalIgnoreCase)))
                        problems.Add($"{where}: '{cell}' names nothing and gives no reason ({string.Join(", ", reasons)})");
                    return;
                }
                string? path = null;
                foreach (var token in tokens)
                {
                    if (token.Contains('/'))
                    {
                        path = token;
                        if (!token.StartsWith(under, StringComparison.Ordinal) && !(under == "src/" && token.StartsWith("samples/", StringComparison.Ordinal)))
                            problems.Add($"{where}: {token} is not under {under}");
                        else if (Text(token) is null)
                            problems.Add($"{where}: {token} does not exist");
                        continue;
                    }
                    if (path is null) problems.Add($"{where}: '{token}' comes before any file");
                    else if (Text(path) is not null && named(path, token) is { } problem) problems.Add($"{where}: {problem}");
                }
            }
        }
        Assert.True(problems.Count == 0, $"{MapPath} has {problems.Count} broken reference(s):\n" + string.Join("\n", problems));
    }

    [Fact]
    public void TestMethodsAreFoundAfterTheirAttributes()
    {
        var methods = TestMethodsOf("""
            [Fact]
            public void Plain() { }
            [Property(MaxTest = 300)]
            public Property Generated() => null!;
            [Theory]
            [InlineData("a[0]")]
            [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
            public async Task<(int Exit, string Out)> Tupled(string a) => default;
            public void Helper() { }
            [Fact, UnsupportedOSPlatform("windows")] // a comment
            public async Task Listed() { }
            [Trait("kind", "slow"), Fact]
            public void Second() { }
            [Fact(Skip = "flaky")]
            public void Skipped() { }
            [Trait("kind", "slow")]
            [Property(MaxTest = 10, Skip="later")]
            public Property AlsoSkipped() => null!;
            """);
        Assert.Equal(["Generated", "Listed", "Plain", "Second", "Tupled"], methods.Order());
    }

    [Fact]
    public void NamesInCommentsAreNotCode()
    {
        var code = WithoutComments("""
            /// <summary>Calls <see cref="Documented"/>.</summary>
            public static int Real() => 1; // Trailing
            /* Block
               comment */
            """);
        Assert.Matches(@"\bReal\b", code);
        Assert.DoesNotMatch(@"\b(Documented|Trailing|Block)\b", code);
    }

    /// <summary>One row of a map table, or why it could not be read.</summary>
    private sealed record Row(int Line, string Heading, string Section, string Code, string Tests, string? Problem);

    private static List<Row> Parse(string[] lines)
    {
        var rows = new List<Row>();
        var heading = "";
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#')) heading = lines[i].TrimStart('#').Trim();
            if (!TableHeader().IsMatch(lines[i])) continue;
            for (i += 2; i < lines.Length && lines[i].StartsWith('|'); i++)
            {
                var cells = lines[i].Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                rows.Add(cells.Length == 4
                    ? new Row(i + 1, heading, cells[0], cells[2], cells[3], null)
                    : new Row(i + 1, heading, cells[0], "", "", $"has {cells.Length} cells, not 4 (a '|' inside a cell?)"));
            }
        }
        return rows;
    }

    /// <summary>
    /// The names of the methods marked <c>[Fact]</c>, <c>[Theory]</c> or <c>[Property]</c>: the first declaration
    /// after each attribute, unless the attributes before it skip the test (a skipped test proves nothing).
    /// </summary>
    private static System.Collections.Generic.HashSet<string> TestMethodsOf(string source) =>
        TestAttribute().Matches(source)
            .Select(attribute => (attribute, declaration: Declaration().Match(source, attribute.Index + attribute.Length)))
            .Where(found => found.declaration.Success
                && !SkipArgument().IsMatch(source[found.attribute.Index..found.declaration.Index]))
            .Select(found => found.declaration.Groups["name"].Value)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>C# source without its comments, so a name mentioned only in a comment is not taken for code.</summary>
    private static string WithoutComments(string source) => Comment().Replace(source, " ");

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Pkce.sln"))) return directory.FullName;
        throw new InvalidOperationException("Pkce.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\|\s*§\s*\|\s*rule\s*\|\s*enforced by\s*\|\s*proved by\s*\|\s*$")]
    private static partial Regex TableHeader();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"\[(?:[^\]\n]*,\s*)?(?:Fact|Theory|Property)\s*[\](,]")]
    private static partial Regex TestAttribute();

    [GeneratedRegex(@"\bSkip\s*=")]
    private static partial Regex SkipArgument();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\b(?:public|internal|private|protected)\s[^;{=]*?\b(?<name>[A-Za-z_]\w*)\s*\(")]
    private static partial Regex Declaration();
}
