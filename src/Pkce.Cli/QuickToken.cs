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
    /// <summary>
    /// <see cref="TokenSourceOptions.Default"/>'s margin, which the full command uses (a test checks they are equal):
    /// named here so that this path does not load the library's assembly.
    /// </summary>
    internal static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    /// <summary>Prints the token and returns 0 if it can; otherwise prints nothing and returns null.</summary>
    public static int? TryRun(string[] args)
    {
        if (Answer(args, Environment.GetEnvironmentVariable, DateTimeOffset.UtcNow) is not { } line) return null;
        if (OperatingSystem.IsWindows() || !WriteToStandardOutput(line))
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(line);
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// The line that <see cref="TryRun"/> prints for <paramref name="args"/> at <paramref name="now"/>, with the state
    /// directory that <paramref name="variable"/> names; null when the full command must decide.
    /// </summary>
    public static byte[]? Answer(string[] args, Func<string, string?> variable, DateTimeOffset now)
    {
        if (Parse(args) is not var (name, header) || !Profile.IsValidName(name)) return null;
        try
        {
            var state = StateDirectory.From(variable);
            if (TokenFileOf(File.ReadAllBytes(Path.Combine(state.ProfilesPath, name + ".json")), name) is not { } file) return null;
            if (FreshAccessToken(File.ReadAllBytes(Path.Combine(state.TokensPath, file)), now) is not { } token) return null;
            return Encoding.ASCII.GetBytes((header ? "Authorization: Bearer " : "") + token + "\n");
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
                var written = WriteTo(start + done, (nuint)(line.Length - done));
                if (written <= 0) return done == 0 ? false : throw new IOException("standard output was closed in the middle of the token");
                done += (int)written;
            }
        }
        return true;
    }

    private static bool _glibcMissing;

    private static unsafe nint WriteTo(byte* buffer, nuint count)
    {
        if (!_glibcMissing)
        {
            try
            {
                return WriteGlibc(1, buffer, count);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _glibcMissing = true;
            }
        }
        return WriteLibc(1, buffer, count);
    }

    // glibc's soname: found at once among the libraries already loaded. Elsewhere (musl, the BSDs, macOS) "libc" is probed.
    [DllImport("libc.so.6", EntryPoint = "write")]
    private static extern unsafe nint WriteGlibc(int descriptor, byte* buffer, nuint count);

    [DllImport("libc", EntryPoint = "write")]
    private static extern unsafe nint WriteLibc(int descriptor, byte* buffer, nuint count);

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

    /// <summary>
    /// The <c>token_file</c> of a profile file that names <paramref name="name"/>, if its tokens are files and bearer
    /// tokens: a DPoP profile (<c>"dpop"</c> anything but <c>null</c>) is left to the full command, whose header carries a
    /// proof made with the profile's key, never <c>Authorization: Bearer</c>.
    /// </summary>
    private static string? TokenFileOf(ReadOnlySpan<byte> profile, string name)
    {
        var file = CompactJson.Value(profile, "\"token_file\":"u8);
        // Profiles written before DPoP have no "dpop": their tokens are bearer tokens.
        if (CompactJson.Mentions(profile, "\"dpop\""u8) && CompactJson.Value(profile, "\"dpop\":"u8) is not { IsString: false }) return null;
        return CompactJson.Value(profile, "\"name\":"u8) is { IsString: true } named && named.Text == name
               // Profiles written before token stores could be chosen have no token_store: their tokens are files.
               && (CompactJson.Value(profile, "\"token_store\":"u8) is { IsString: true, Text: Profile.FileVaultName } || !CompactJson.Mentions(profile, "\"token_store\""u8))
               && file is { IsString: true, Text: { Length: > 0 } text } && text == Path.GetFileName(text) ? text : null;
    }

    /// <summary>The access token of a token file, if it is stored, not marked for a new login, fresh, and printable.</summary>
    internal static string? FreshAccessToken(ReadOnlySpan<byte> content, DateTimeOffset now)
    {
        if (CompactJson.Value(content, "\"login_required\":"u8) is not { IsString: false }) return null;
        if (CompactJson.Value(content, "\"access_token\":"u8) is not { IsString: true, Text: { } token } || !TokenOutput.IsPrintable(token)) return null;
        if (CompactJson.Value(content, "\"token_type\":"u8) is not { IsString: true } type || !string.Equals(type.Text, "Bearer", StringComparison.OrdinalIgnoreCase)) return null;
        var expires = CompactJson.Value(content, "\"expires_at\":"u8);
        // No stated expiry: fresh, as TokenSet.IsFreshAt has it.
        if (expires is { IsString: false }) return token;
        if (expires is not { Text: { } at } || CompactJson.RoundTripUtc(at) is not { } expiresAt) return null;
        return expiresAt - now > Margin ? token : null;
    }
}
