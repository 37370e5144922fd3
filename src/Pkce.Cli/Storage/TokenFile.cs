using System.Globalization;
using System.Text.Json;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>
/// The JSON of one token file: <c>{"version":N,"login_required":"why"|null,"tokens":{"access_token":…,
/// "token_type":…,"expires_at":"ISO 8601"|null,"refresh_token":…|null,"scope":…|null,"received_at":"ISO 8601"}|null}</c>. Read and written
/// with the reader and writer of System.Text.Json (no reflection, so nothing to warm up at start-up).
/// </summary>
public static class TokenFile
{
    /// <summary>The file's bytes for <paramref name="stored"/>.</summary>
    public static byte[] Write(StoredTokens stored)
    {
        using var buffer = new MemoryStream();
        // Only what JSON requires is escaped ('"', '\', control characters; the relaxed encoder's "unsafe" is about
        // embedding in HTML, which a token file never is), so a token's '+' or '/' stays as it is for QuickToken.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", stored.Version);
            Text(json, "login_required", stored.LoginRequired);
            stored.Tokens.Match(tokens =>
            {
                json.WriteStartObject("tokens");
                json.WriteString("access_token", tokens.AccessToken);
                json.WriteString("token_type", tokens.TokenType);
                Text(json, "expires_at", tokens.ExpiresAt.Map(at => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)));
                Text(json, "refresh_token", tokens.RefreshToken);
                Text(json, "scope", tokens.Scope);
                json.WriteString("received_at", tokens.ReceivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }, () => json.WriteNull("tokens"));
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>What <paramref name="content"/> holds, or why it cannot be read.</summary>
    public static Either<string, StoredTokens> Read(ReadOnlyMemory<byte> content)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            var version = root.GetProperty("version").GetInt64();
            var loginRequired = Optional(root, "login_required");
            var tokens = root.GetProperty("tokens") is { ValueKind: JsonValueKind.Object } t
                ? Some(new TokenSet(
                    t.GetProperty("access_token").GetString() ?? throw new FormatException("access_token is null"),
                    t.GetProperty("token_type").GetString() ?? throw new FormatException("token_type is null"),
                    Optional(t, "expires_at").Map(Instant),
                    Optional(t, "refresh_token"),
                    Optional(t, "scope"),
                    Optional(t, "received_at").Map(Instant)
                        .IfNone(DateTimeOffset.MinValue)))
                : None;
            return new StoredTokens(version, tokens, loginRequired);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            return $"the token file is not what this command writes ({e.GetType().Name})";
        }
    }

    /// <summary>
    /// The forms <see cref="Write"/> gives an instant (<c>"O"</c> of a UTC time: <c>...fffffffZ</c>), and the same with
    /// an offset. Exact: a truncated time or one without a zone (which a lenient parse would take as local) is not
    /// what this command writes, and <see cref="Read"/> refuses the file.
    /// </summary>
    private static readonly string[] InstantForms = ["yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz"];

    /// <summary>An instant of <see cref="InstantForms"/>; <see cref="FormatException"/> (or an out-of-range <see cref="ArgumentException"/>) otherwise.</summary>
    private static DateTimeOffset Instant(string text) =>
        DateTimeOffset.ParseExact(text, InstantForms, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static Option<string> Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? Some(value.GetString()!) : None;

    private static void Text(Utf8JsonWriter json, string name, Option<string> value) =>
        value.Match(v => json.WriteString(name, v), () => json.WriteNull(name));
}
