using System.Runtime.InteropServices;
using System.Text;

namespace Pkce.Cli;

/// <summary>
/// The everyday case of <c>pkce token --profile NAME [--header]</c>, answered before anything else is loaded: when
/// the profile's stored access token is fresh (not marked for a new login, and more than
/// <see cref="TokenSourceOptions.Default"/>'s margin from its expiry, the rule of <see cref="TokenSet.IsFreshAt"/>),
/// it is printed from the two small files that <see cref="Profiles"/> and <see cref="FileTokenStore"/> wrote, with no
/// command-line parser, no JSON library, no HTTP client, no LanguageExt and no configuration: the command runs before every scripted
/// API call, so its start-up is its cost. Anything else (other options, a stale or missing token, a file it does not
/// understand) is left to the full command, which decides the same way and renews through <see cref="TokenSource"/>.
/// </summary>
public static class QuickToken
{
    /// <summary>Prints the token and returns 0 if it can; otherwise prints nothing and returns null.</summary>
    public static int? TryRun(string[] args)
    {
        if (Parse(args) is not var (name, header) || !Profile.IsValidName(name)) return null;
        try
        {
            var state = StateDirectory.From(Environment.GetEnvironmentVariable);
            if (TokenFileOf(File.ReadAllBytes(Path.Combine(state.ProfilesPath, name + ".json")), name) is not { } file) return null;
            if (FreshAccessToken(File.ReadAllBytes(Path.Combine(state.TokensPath, file)), DateTimeOffset.UtcNow) is not { } token) return null;
            // Standard output's descriptor as it is: System.Console's set-up (terminal settings, signal handlers) costs
            // more than the rest of this path.
            var line = Encoding.ASCII.GetBytes((header ? "Authorization: Bearer " : "") + token + "\n");
            if (OperatingSystem.IsWindows() || !WriteToStandardOutput(line))
            {
                using var stdout = Console.OpenStandardOutput();
                stdout.Write(line);
            }
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// POSIX <c>write(2)</c> on standard output: the file descriptor's offset advances (as a shell's redirection
    /// expects) without System.Console's set-up (terminal settings, signal handlers), which costs more than the rest
    /// of this path. False if nothing could be written (the caller then uses the console stream).
    /// </summary>
    private static unsafe bool WriteToStandardOutput(ReadOnlySpan<byte> line)
    {
        fixed (byte* start = line)
        {
            for (var done = 0; done < line.Length;)
            {
                var written = Write(1, start + done, (nuint)(line.Length - done));
                if (written <= 0) return done == 0 ? false : throw new IOException("standard output was closed in the middle of the token");
                done += (int)written;
            }
        }
        return true;
    }

    [DllImport("libc", EntryPoint = "write")]
    private static extern unsafe nint Write(int descriptor, byte* buffer, nuint count);

    /// <summary><c>token --profile NAME</c> (or <c>--profile=NAME</c>) and at most <c>--header</c>, in any order; null for anything else.</summary>
    private static (string Name, bool Header)? Parse(string[] args)
    {
        if (args.Length is < 2 or > 4 || args[0] != "token") return null;
        string? name = null;
        var header = false;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--header" && !header) header = true;
            else if (args[i] == "--profile" && name is null && i + 1 < args.Length) name = args[++i];
            else if (args[i].StartsWith("--profile=", StringComparison.Ordinal) && name is null) name = args[i]["--profile=".Length..];
            else return null;
        }
        return name is null ? null : (name, header);
    }

    /// <summary>The <c>token_file</c> of a profile file that names <paramref name="name"/>.</summary>
    private static string? TokenFileOf(ReadOnlySpan<byte> profile, string name)
    {
        var file = Value(profile, "\"token_file\":"u8);
        return Value(profile, "\"name\":"u8) is { IsString: true } named && named.Text == name
               && Value(profile, "\"token_store\":"u8) is { IsString: true, Text: Profile.FileVaultName }
               && file is { IsString: true, Text: { Length: > 0 } text } && text == Path.GetFileName(text) ? text : null;
    }

    /// <summary>The access token of a token file, if it is stored, not marked for a new login, fresh, and printable.</summary>
    private static string? FreshAccessToken(ReadOnlySpan<byte> content, DateTimeOffset now)
    {
        if (Value(content, "\"login_required\":"u8) is not { IsString: false }) return null;
        if (Value(content, "\"access_token\":"u8) is not { IsString: true, Text: { } token } || !TokenOutput.IsPrintable(token)) return null;
        if (Value(content, "\"token_type\":"u8) is not { IsString: true } type || !string.Equals(type.Text, "Bearer", StringComparison.OrdinalIgnoreCase)) return null;
        var expires = Value(content, "\"expires_at\":"u8);
        // No stated expiry: fresh, as TokenSet.IsFreshAt has it.
        if (expires is { IsString: false }) return token;
        // The round-trip form ("O") that TokenFile writes, read without the culture machinery.
        if (expires is not { Text: { } at } || !System.Buffers.Text.Utf8Parser.TryParse(Encoding.ASCII.GetBytes(at), out DateTimeOffset expiresAt, out var used, 'O')
            || used != at.Length) return null;
        return expiresAt - now > TokenSourceOptions.Default.Margin ? token : null;
    }

    /// <summary>A string or <c>null</c> member value as this command's writer (Utf8JsonWriter, compact) leaves it.</summary>
    private readonly record struct Member(bool IsString, string? Text);

    /// <summary>
    /// The value of the one member written as <paramref name="key"/> (<c>"name":</c>) in <paramref name="json"/>: a
    /// string without escapes, or <c>null</c>; nothing (so the full command decides) when the key is absent, appears
    /// twice, is not preceded by <c>{</c> or <c>,</c> (so it cannot be the inside of another string, where a quote
    /// is always escaped), or has another kind of value. A deliberately narrow reader of the files the command
    /// itself writes: System.Text.Json's first use costs more start-up time than everything else on this path.
    /// </summary>
    private static Member? Value(ReadOnlySpan<byte> json, ReadOnlySpan<byte> key)
    {
        var at = json.IndexOf(key);
        if (at <= 0 || json[(at + key.Length)..].IndexOf(key) >= 0 || json[at - 1] is not ((byte)'{' or (byte)',')) return null;
        var value = json[(at + key.Length)..];
        if (value.StartsWith("null"u8)) return new Member(false, null);
        if (value.Length == 0 || value[0] != (byte)'"') return null;
        var end = value[1..].IndexOfAny((byte)'"', (byte)'\\');
        if (end < 0 || value[1 + end] != (byte)'"') return null;
        var text = value[1..(1 + end)];
        foreach (var b in text)
            if (b is < 0x20 or > 0x7E) return null;
        return new Member(true, Encoding.ASCII.GetString(text));
    }
}
