using System.Text;

namespace Pkce;

/// <summary>
/// The one way a string that came from outside (an authorization server, a callback, a request to the command's
/// listener, a store's error) is shown: in an error message, an exception, a log line or a terminal.
/// </summary>
public static class ServerText
{
    /// <summary>Longer texts are cut to this many characters, then marked with <c>...</c>.</summary>
    public const int MaxLength = 300;

    /// <summary>
    /// RFC 6749 §4.1.2.1 and §5.2 restrict <c>error</c>, <c>error_description</c> and <c>error_uri</c> to
    /// "%x20-21 / %x23-5B / %x5D-7E": printable ASCII without <c>"</c> and <c>\</c>. Characters in that set are kept;
    /// every other character (control characters such as ESC, <c>"</c>, <c>\</c>, and everything beyond ASCII,
    /// bidirectional overrides included) is shown as a <c>\uXXXX</c> escape, so no server can move a cursor, clear a
    /// screen or forge a line of output. The result is at most about 6 x <see cref="MaxLength"/> characters.
    /// </summary>
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var cut = text.Length > MaxLength;
        var shown = cut ? text.AsSpan(0, MaxLength) : text.AsSpan();
        if (!cut && !shown.ContainsAnyExcept(Allowed)) return text;
        var builder = new StringBuilder(shown.Length + 16);
        foreach (var c in shown)
        {
            if (IsAllowed(c)) builder.Append(c);
            else builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
        }
        if (cut) builder.Append("...");
        return builder.ToString();
    }

    /// <summary>Whether the character is in RFC 6749's set for error fields (%x20-21 / %x23-5B / %x5D-7E).</summary>
    public static bool IsAllowed(char c) => c is '\x20' or '\x21' or >= '\x23' and <= '\x5B' or >= '\x5D' and <= '\x7E';

    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create(
        Enumerable.Range(0, 128).Select(i => (char)i).Where(IsAllowed).ToArray());
}
