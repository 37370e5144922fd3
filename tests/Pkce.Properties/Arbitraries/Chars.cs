namespace Pkce.Properties.Arbitraries;

/// <summary>Character and string generators that reach the edges of the grammars under test.</summary>
internal static class Chars
{
    public const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    /// <summary>Printable ASCII (VSCHAR, %x20-7E).</summary>
    public static Gen<char> VsChar => Gen.Choose(0x20, 0x7E).Select(i => (char)i);

    /// <summary>Characters that matter to query strings, weighted towards separators and escapes.</summary>
    public static Gen<char> QueryChar => Gen.Frequency(
        (6, Gen.Elements('%', '&', '=', '+', '?', '#', ' ', ';')),
        (4, Gen.Elements("0123456789abcdefABCDEF".ToCharArray())),
        (3, Gen.Elements("statecodeiserror_".ToCharArray())),
        (1, Gen.Elements('é', '€', '漢', '\u0000', '\n', '\uFFFD')),
        (1, Gen.Elements('\uD83D', '\uDE00')));

    /// <summary>Any UTF-16 text including astral characters, controls and lone surrogates.</summary>
    public static Gen<char> AnyChar => Gen.Frequency(
        (5, VsChar),
        (2, Gen.Choose(0, 0xFFFF).Select(i => (char)i)),
        (1, Gen.Elements('%', '+', '&', '=', ':', ' ')));

    /// <summary>Well-formed Unicode text (no lone surrogates): mixed scripts, astral emoji, separators.</summary>
    public static Gen<string> WellFormedText => Gen.Frequency(
            (5, VsChar.Select(c => c.ToString())),
            (2, Gen.Elements("é", "ß", "€", "漢字", "😀", "\U0001F680", "Ω", "\u00A0", "\t", "\n")),
            (2, Gen.Elements("%", "+", "&", "=", ":", " ", "%20", "%zz", "?", "#", "/")))
        .ListOf().Select(parts => string.Concat(parts));

    public static Gen<string> StringOf(Gen<char> chars, int min, int max) =>
        Gen.Choose(min, max).SelectMany(n => chars.ArrayOf(n)).Select(a => new string(a));
}
