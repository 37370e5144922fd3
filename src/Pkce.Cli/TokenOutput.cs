using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pkce.Cli;

/// <summary>How <c>pkce token</c> and <c>pkce refresh --profile</c> print the access token.</summary>
public enum TokenFormat
{
    /// <summary>The access token alone, on one line.</summary>
    Plain,

    /// <summary><c>Authorization: Bearer TOKEN</c>, for <c>curl -H "$(pkce token --header)"</c> or <c>curl -H @-</c>.</summary>
    Header,

    /// <summary>A JSON object: <c>access_token</c>, <c>token_type</c>, <c>expires_in</c> (seconds left), <c>expires_at</c>, <c>scope</c>.</summary>
    Json,
}

/// <summary>Writes the access token on stdout, and nothing else there.</summary>
public static class TokenOutput
{

    /// <summary>
    /// Prints <paramref name="tokens"/> in <paramref name="format"/>; false (and nothing printed) when the access
    /// token holds a character outside visible ASCII: RFC 6750 §2.1's <c>b64token</c> has none, and a token printed
    /// raw must not be able to move a terminal's cursor or end a header line. The refresh token is never printed: it
    /// stays in the store, which alone may redeem it.
    /// </summary>
    public static bool Write(Terminal terminal, TokenSet tokens, TokenFormat format, DateTimeOffset now)
    {
        if (!IsPrintable(tokens.AccessToken))
        {
            terminal.Say("the access token holds characters outside visible ASCII (RFC 6750 §2.1 b64token); it is not printed");
            return false;
        }
        terminal.Out.WriteLine(format switch
        {
            TokenFormat.Header => "Authorization: Bearer " + tokens.AccessToken,
            TokenFormat.Json => Json(tokens, now),
            _ => tokens.AccessToken,
        });
        return true;
    }

    /// <summary>Whether an access token is non-empty visible ASCII (%x21-7E), so it can be printed raw.</summary>
    public static bool IsPrintable(string token)
    {
        foreach (var c in token)
            if (c is < '\x21' or > '\x7E') return false;
        return token.Length > 0;
    }

    private static string Json(TokenSet tokens, DateTimeOffset now)
    {
        using var buffer = new MemoryStream();
        // Made here, not in a static field: QuickToken calls IsPrintable, and must not load System.Text.Json with it.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            json.WriteStartObject();
            json.WriteString("access_token", tokens.AccessToken);
            json.WriteString("token_type", tokens.TokenType);
            tokens.ExpiresAt.IfSome(at =>
            {
                json.WriteNumber("expires_in", Math.Max(0, (long)(at - now).TotalSeconds));
                json.WriteString("expires_at", at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            });
            tokens.Scope.IfSome(scope => json.WriteString("scope", scope));
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
