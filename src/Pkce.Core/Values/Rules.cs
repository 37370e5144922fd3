using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Character-class checks shared by the constrained value types.</summary>
internal static class Rules
{
    /// <summary>RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".</summary>
    public static bool IsUnreserved(char c) =>
        c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '.' or '_' or '~';

    /// <summary>RFC 4648 §5 base64url alphabet, without padding.</summary>
    public static bool IsBase64Url(char c) =>
        c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_';

    /// <summary>RFC 6749 Appendix A: VSCHAR = %x20-7E.</summary>
    public static bool IsVsChar(char c) => c is >= '\x20' and <= '\x7E';

    /// <summary>Checks a string's length and alphabet, naming the kind of value in the error.</summary>
    public static Either<PkceError, string> Check(string? value, string kind, int min, int max, Func<char, bool> allowed, string alphabet) =>
        value is null ? Left<PkceError, string>(new PkceError.InvalidValue(kind, "missing"))
        : value.Length < min || value.Length > max
            ? Left<PkceError, string>(new PkceError.InvalidValue(kind, $"length {value.Length} is outside {min}..{max}"))
        : !value.All(allowed)
            ? Left<PkceError, string>(new PkceError.InvalidValue(kind, $"contains a character outside {alphabet}"))
        : Right<PkceError, string>(value);
}
