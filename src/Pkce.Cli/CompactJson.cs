namespace Pkce.Cli;

/// <summary>
/// A deliberately narrow reader of the compact JSON that this command writes (Utf8JsonWriter's output of
/// <see cref="TokenFile"/> and <see cref="Profile"/>), for <see cref="QuickToken"/> alone: System.Text.Json's first
/// use costs more start-up time than everything else on that path. It finds a member by its exact written form and
/// reads a string without escapes or <c>null</c>; anything else is "not understood", and the caller leaves the
/// decision to the full command, which reads the file with System.Text.Json. It uses nothing outside CoreLib.
/// </summary>
internal static class CompactJson
{
    /// <summary>A member's value: a string (<see cref="Text"/>) or <c>null</c>.</summary>
    internal readonly record struct Member(bool IsString, string? Text);

    /// <summary>Whether <paramref name="key"/> (e.g. <c>"name"</c>) occurs in <paramref name="json"/> at all.</summary>
    public static bool Mentions(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key) => IndexOf(json, key, 0) >= 0;

    /// <summary>
    /// The value of the one member written as <paramref name="key"/> (<c>"name":</c>): null when the key is absent,
    /// appears twice, is not preceded by <c>{</c> or <c>,</c> (so it cannot be the inside of another string, where a
    /// quote is always escaped), or has a value other than <c>null</c> or a printable ASCII string without escapes.
    /// </summary>
    public static Member? Value(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key)
    {
        var at = IndexOf(json, key, 0);
        if (at <= 0 || IndexOf(json, key, at + 1) >= 0 || json[at - 1] is not ((byte)'{' or (byte)',')) return null;
        var value = json[(at + key.Length)..];
        if (IndexOf(value, "null"u8, 0) == 0) return new Member(false, null);
        if (value.Length == 0 || value[0] != (byte)'"') return null;
        var chars = new char[value.Length];
        for (var i = 1; i < value.Length; i++)
        {
            var b = value[i];
            if (b == (byte)'"') return new Member(true, new string(chars, 0, i - 1));
            if (b is < 0x20 or > 0x7E or (byte)'\\') return null;
            chars[i - 1] = (char)b;
        }
        return null;
    }

    /// <summary>
    /// The instant of a UTC round-trip ("O") text as <see cref="TokenFile"/> writes it,
    /// <c>yyyy-MM-ddTHH:mm:ss.fffffffZ</c>; null for any other form, never an exception: each field must be all
    /// digits and in range (a token file is input like any other, whatever wrote it).
    /// </summary>
    public static DateTimeOffset? RoundTripUtc(string text)
    {
        if (text.Length != 28 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != '.' || text[27] != 'Z')
            return null;
        // -1 for a field with any character that is not a digit: no field can be negative, so every check below refuses it.
        int Digits(int start, int count)
        {
            var n = 0;
            for (var i = start; i < start + count; i++)
            {
                if (text[i] is < '0' or > '9') return -1;
                n = n * 10 + (text[i] - '0');
            }
            return n;
        }
        int year = Digits(0, 4), month = Digits(5, 2), day = Digits(8, 2), hour = Digits(11, 2), minute = Digits(14, 2), second = Digits(17, 2), ticks = Digits(20, 7);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour is < 0 or > 23 || minute is < 0 or > 59 || second is < 0 or > 59 || ticks < 0) return null;
        return new DateTimeOffset(new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks));
    }

    private static int IndexOf(ReadOnlySpan<byte> span, ReadOnlySpan<byte> key, int from)
    {
        for (var i = from; i + key.Length <= span.Length; i++)
        {
            var j = 0;
            while (j < key.Length && span[i + j] == key[j]) j++;
            if (j == key.Length) return i;
        }
        return -1;
    }
}
