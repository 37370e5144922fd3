using Pkce.Fuzz;

namespace Pkce.Integration;

/// <summary>
/// The fuzzing corpus replayed in every run (docs/fuzzing.md): each seed under tests/Pkce.Fuzz/corpus and each input
/// afl-fuzz found to crash, under tests/Pkce.Fuzz/crashes, goes through its target's harness, the function the fuzzer
/// runs, which lets any exception other than a typed error escape.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string Fuzz([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "Pkce.Fuzz"));

    /// <summary>Every input, as <c>corpus/TARGET/FILE</c> or <c>crashes/TARGET/FILE</c>.</summary>
    public static TheoryData<string> Inputs()
    {
        var inputs = new TheoryData<string>();
        foreach (var kind in (string[])["corpus", "crashes"])
        {
            var folder = Path.Combine(Fuzz(), kind);
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                inputs.Add(Path.GetRelativePath(Fuzz(), file).Replace(Path.DirectorySeparatorChar, '/'));
        }
        return inputs;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_goes_through_its_harness_without_an_exception(string input)
    {
        var target = input.Split('/')[1];
        Assert.True(Harnesses.Targets.TryGetValue(target, out var harness), $"{input}: no harness is called '{target}'");
        harness(File.ReadAllBytes(Path.Combine(Fuzz(), input)));
    }

    [Fact]
    public void Every_target_has_seeds_and_every_input_folder_names_a_target()
    {
        var seeded = Directory.GetDirectories(Path.Combine(Fuzz(), "corpus")).Where(d => Directory.EnumerateFiles(d).Any()).Select(Path.GetFileName);
        Assert.Equal(Harnesses.Targets.Keys.Order(StringComparer.Ordinal), seeded.Order(StringComparer.Ordinal));
        var crashes = Path.Combine(Fuzz(), "crashes");
        if (Directory.Exists(crashes))
            Assert.All(Directory.GetDirectories(crashes).Select(Path.GetFileName), name => Assert.Contains(name!, Harnesses.Targets.Keys));
    }

    [Fact]
    public void Text_gives_utf8_and_the_lone_surrogates_utf8_forbids()
    {
        Assert.Equal("a\u00e9\u20ac\U0001F600", Harnesses.Text("a\u00e9\u20ac\U0001F600"u8));
        Assert.Equal("x\ud800y\udfff", Harnesses.Text([(byte)'x', 0xED, 0xA0, 0x80, (byte)'y', 0xED, 0xBF, 0xBF]));
        Assert.Equal("\ufffd\ufffd", Harnesses.Text([0xFF, 0xC3]));
    }
}
