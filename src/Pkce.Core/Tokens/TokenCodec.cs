using System.Text.Json;
using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The stored form of <see cref="StoredTokens"/>, for token stores that keep text (a SQLite row, a Redis hash). The
/// version is not part of it: a store keeps the version beside the text (a column, a hash field), where its
/// compare-and-swap reads it, and hands it back to <see cref="Decode"/>. Reading the text back checks every member,
/// so a corrupt or tampered entry is a <see cref="PkceError.StoreFailure"/>, never an exception or a half-read
/// <see cref="TokenSet"/>. The text holds the access and refresh tokens: stores keep it where only the application
/// can read it, erase it for real when it is replaced or deleted, and never log it.
/// </summary>
public static class TokenCodec
{
    /// <summary>Version of the stored form; bump when its members change.</summary>
    public const int Format = 1;

    /// <summary>
    /// Writes the tokens (or the login-required mark) of <paramref name="stored"/> as a small JSON object; its
    /// <see cref="StoredTokens.Version"/> is the store's to keep. Text the parser of a token response produced is
    /// valid Unicode; a lone surrogate in a hand-made <see cref="TokenSet"/> is written as U+FFFD.
    /// </summary>
    public static string Encode(StoredTokens stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Format);
            stored.Tokens.IfSome(tokens =>
            {
                json.WriteString(WireNames.AccessToken, tokens.AccessToken);
                json.WriteString(WireNames.TokenType, tokens.TokenType);
                tokens.ExpiresAt.IfSome(at => json.WriteString("expires_at", at));
                tokens.RefreshToken.IfSome(refresh => json.WriteString(WireNames.RefreshToken, refresh));
                tokens.Scope.IfSome(scope => json.WriteString(WireNames.Scope, scope));
                json.WriteString("received_at", tokens.ReceivedAt);
            });
            stored.LoginRequired.IfSome(reason => json.WriteString("login_required", reason));
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Reads what <see cref="Encode"/> wrote, as <paramref name="version"/> (which must be at least 1: version 0
    /// is nothing stored, and a store has no text for it). Anything else is a <see cref="PkceError.StoreFailure"/>
    /// that names what is wrong and never quotes the text.
    /// </summary>
    public static Either<PkceError, StoredTokens> Decode(long version, string? stored)
    {
        if (version < 1) return Corrupt<StoredTokens>($"version {version}");
        if (stored is null) return Corrupt<StoredTokens>("no text");
        try
        {
            using var document = JsonDocument.Parse(stored);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("v", out var v) || !v.TryGetInt32(out var format) || format != Format)
                return Corrupt<StoredTokens>("unknown format");
            return from tokens in Tokens(root)
                   from reason in Text(root, "login_required")
                   select new StoredTokens(version, tokens, reason);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            // JsonException: not JSON; ArgumentException: the text itself holds a lone surrogate (Parse transcodes it
            // to UTF-8 first); InvalidOperationException: a value read as the wrong kind.
            return Corrupt<StoredTokens>("not readable");
        }
    }

    /// <summary>The token set, if the entry has an access token; every member checked.</summary>
    private static Either<PkceError, Option<TokenSet>> Tokens(JsonElement root) =>
        from access in Text(root, WireNames.AccessToken)
        from type in Text(root, WireNames.TokenType)
        from expires in Time(root, "expires_at")
        from refresh in Text(root, WireNames.RefreshToken)
        from scope in Text(root, WireNames.Scope)
        from received in Time(root, "received_at")
        from result in access.Match(
            accessToken => string.IsNullOrEmpty(accessToken) ? Corrupt<Option<TokenSet>>("empty access token")
                : type.Match(
                    tokenType => string.IsNullOrEmpty(tokenType) ? Corrupt<Option<TokenSet>>("empty token type")
                        : Right<PkceError, Option<TokenSet>>(Some(new TokenSet(accessToken, tokenType, expires, refresh, scope, received.IfNone(DateTimeOffset.MinValue)))),
                    () => Corrupt<Option<TokenSet>>("token type missing")),
            () => type.IsSome || expires.IsSome || refresh.IsSome || scope.IsSome
                ? Corrupt<Option<TokenSet>>("access token missing")
                : Right<PkceError, Option<TokenSet>>(None))
        select result;

    /// <summary>An optional string member: absent is none; another type or invalid Unicode is corrupt.</summary>
    private static Either<PkceError, Option<string>> Text(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element)) return Option<string>.None;
        if (element.ValueKind != JsonValueKind.String) return Corrupt<Option<string>>($"'{name}' is not a string");
        var text = JsonAnswer.TextOf(element);
        return text.IsSome ? text : Corrupt<Option<string>>($"'{name}' is not valid Unicode");
    }

    /// <summary>An optional instant: absent is none; anything but an ISO 8601 date and time is corrupt.</summary>
    private static Either<PkceError, Option<DateTimeOffset>> Time(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element)) return Option<DateTimeOffset>.None;
        return element.ValueKind == JsonValueKind.String && element.TryGetDateTimeOffset(out var at)
            ? Some(at)
            : Corrupt<Option<DateTimeOffset>>($"'{name}' is not a date and time");
    }

    private static Either<PkceError, T> Corrupt<T>(string what) => new PkceError.StoreFailure("stored tokens are corrupt: " + what);
}
