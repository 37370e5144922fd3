using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pkce.Cli;

/// <summary>The token response as the command prints it on stdout.</summary>
public static class TokenJson
{
    private static readonly JsonWriterOptions Escaped = new() { Encoder = JavaScriptEncoder.Default, Indented = false };

    /// <summary>
    /// The same JSON object, written again with every character outside printable ASCII escaped (<c>\u001B</c>,
    /// <c>\u202E</c>, raw newlines inside strings): stdout is often a terminal, and a server must not be able to move
    /// its cursor or reorder its text through a member of the token response. Values and members are unchanged.
    /// </summary>
    public static string Printable(TokenResponse token)
    {
        using var document = JsonDocument.Parse(token.RawJson);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Escaped)) document.RootElement.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
