using System.Text;
using System.Text.Json;

namespace Pkce.Cli;

/// <summary>
/// The everyday case of <c>pkce token --profile NAME [--header]</c>, answered before anything else is loaded: when
/// the profile's stored access token is fresh (not marked for a new login, and more than
/// <see cref="TokenSourceOptions.Default"/>'s margin from its expiry, the rule of <see cref="TokenSet.IsFreshAt"/>),
/// it is printed from the two small files that <see cref="Profiles"/> and <see cref="FileTokenStore"/> wrote, with no
/// command-line parser, no HTTP client, no LanguageExt and no configuration: the command runs before every scripted
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
            if (TokenFileOf(File.ReadAllBytes(Path.Combine(state.Profiles, name + ".json")), name) is not { } file) return null;
            if (FreshAccessToken(File.ReadAllBytes(Path.Combine(state.Tokens, file)), DateTimeOffset.UtcNow) is not { } token) return null;
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(Encoding.ASCII.GetBytes((header ? "Authorization: Bearer " : "") + token + "\n"));
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

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
    private static string? TokenFileOf(byte[] profile, string name)
    {
        var json = new Utf8JsonReader(profile);
        string? file = null, named = null;
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName || json.CurrentDepth != 1) continue;
            if (json.ValueTextEquals("name"u8)) named = Next(ref json);
            else if (json.ValueTextEquals("token_file"u8)) file = Next(ref json);
        }
        return named == name && file is not null && file == Path.GetFileName(file) ? file : null;
    }

    /// <summary>The access token of a token file, if it is stored, not marked for a new login, fresh, and printable.</summary>
    private static string? FreshAccessToken(byte[] content, DateTimeOffset now)
    {
        var json = new Utf8JsonReader(content);
        string? token = null, type = null, expiresAt = null;
        var loginRequired = true;
        while (json.Read())
        {
            if (json.TokenType != JsonTokenType.PropertyName) continue;
            if (json.CurrentDepth == 1 && json.ValueTextEquals("login_required"u8))
            {
                json.Read();
                loginRequired = json.TokenType != JsonTokenType.Null;
            }
            else if (json.CurrentDepth == 2 && json.ValueTextEquals("access_token"u8)) token = Next(ref json);
            else if (json.CurrentDepth == 2 && json.ValueTextEquals("token_type"u8)) type = Next(ref json);
            else if (json.CurrentDepth == 2 && json.ValueTextEquals("expires_at"u8)) expiresAt = Next(ref json);
        }
        if (loginRequired || token is null || !string.Equals(type, "Bearer", StringComparison.OrdinalIgnoreCase) || !TokenOutput.IsPrintable(token)) return null;
        // No stated expiry: fresh, as TokenSet.IsFreshAt has it.
        if (expiresAt is null) return token;
        var at = DateTimeOffset.Parse(expiresAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
        return at - now > TokenSourceOptions.Default.Margin ? token : null;
    }

    private static string? Next(ref Utf8JsonReader json) => json.Read() && json.TokenType == JsonTokenType.String ? json.GetString() : null;
}
