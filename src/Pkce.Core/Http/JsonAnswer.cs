using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Http;

/// <summary>
/// Reads the JSON object an endpoint answered, for every step's pure <c>Parse</c>: it never throws. Checked, in
/// order: a JSON media type (tolerated: none declared), valid UTF-8, valid JSON, no member name or string escaping a
/// lone surrogate (RFC 7493 §2.1, I-JSON: they "MUST NOT include code points that identify Surrogates"), an object;
/// an object with an
/// <c>error</c> member is an OAuth error response (RFC 6749 §5.2; tolerated: any status, 200 included, as
/// golang/oauth2 does) and becomes <see cref="PkceError.EndpointError"/>; any other non-2xx answer is
/// <see cref="PkceError.UnexpectedResponse"/> with an excerpt of the body (never of a 2xx body, which may hold a
/// token). A 2xx object goes to the step's own reader.
/// </summary>
public static class JsonAnswer
{
    /// <summary>
    /// A member named twice is refused: a proxy or validator that reads the first <c>issuer</c> or
    /// <c>access_token</c> and a client that reads the last one must never disagree.
    /// </summary>
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    /// <summary>Reads <paramref name="answer"/>; a 2xx JSON object is handed to <paramref name="success"/> with the body's text.</summary>
    public static Either<PkceError, T> Read<T>(HttpAnswer answer, Func<JsonElement, string, Either<PkceError, T>> success)
    {
        // Tolerated: no content type at all.
        if (answer.ContentType.Case is string contentType && !IsJsonMediaType(contentType))
            return Unexpected<T>(answer, $"content type '{contentType}' is not JSON");
        if (!Utf8.IsValid(answer.Body))
            return Unexpected<T>(answer, "the body is not valid UTF-8");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(answer.Body, Strict);
        }
        catch (JsonException)
        {
            return Unexpected<T>(answer, answer.Body.Length == 0 ? "the body is empty" : "the body is not valid JSON");
        }
        // The check for members named twice compares names unescaped, and a name escaping a lone surrogate ("\ud800")
        // has no unescaped form: System.Text.Json throws this rather than a JsonException.
        catch (InvalidOperationException)
        {
            return Unexpected<T>(answer, LoneSurrogate);
        }
        using (document)
        {
            // A string no member reader looks at still reaches whoever reads the whole object (TokenResponse.Extra,
            // ParseJson, the command printing the response), where GetString or WriteTo would throw.
            if (!StringsAreText(answer.Body)) return Unexpected<T>(answer, LoneSurrogate);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Unexpected<T>(answer, "the body is not a JSON object");
            if (root.TryGetProperty(WireNames.Error, out _)) return OAuthError<T>(answer, root);
            return answer.Status is >= 200 and < 300
                ? success(root, Encoding.UTF8.GetString(answer.Body))
                : Unexpected<T>(answer, "the body is neither the answer asked for nor an OAuth error");
        }
    }

    private const string LoneSurrogate = "the body holds a string that is not valid Unicode (a lone surrogate escape)";

    /// <summary>Whether every escaped string and member name of valid JSON has a text; only escapes can lack one in valid UTF-8.</summary>
    private static bool StringsAreText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            // Only a string or a member name can be escaped.
            if (!reader.ValueIsEscaped) continue;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
        return true;
    }

    private static Either<PkceError, T> OAuthError<T>(HttpAnswer answer, JsonElement root)
    {
        if (!TryString(root, WireNames.Error, out var error, out var problem) || string.IsNullOrEmpty(error))
            return Unexpected<T>(answer, problem ?? $"'{WireNames.Error}' is missing or empty");
        if (!TryString(root, WireNames.ErrorDescription, out var description, out problem)
            || !TryString(root, WireNames.ErrorUri, out var uri, out problem))
            return Unexpected<T>(answer, problem!);
        return new PkceError.EndpointError(answer.Endpoint, answer.Status, error, Optional(description), Optional(uri));
    }

    /// <summary>
    /// Reads an optional string member: absent and <c>null</c> give a null value; any other type, or text that is
    /// not valid Unicode, gives a problem.
    /// </summary>
    public static bool TryString(JsonElement root, string name, out string? value, out string? problem)
    {
        (value, problem) = (null, null);
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind != JsonValueKind.String)
            problem = $"'{name}' is a {element.ValueKind}, not a string";
        else if (TextOf(element).Case is string text)
            value = text;
        else
            problem = $"'{name}' is not valid Unicode (a lone surrogate escape)";
        return problem is null;
    }

    /// <summary>
    /// A JSON string's text. An escaped lone surrogate (<c>"\ud800"</c>) passes <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
    /// and then makes <see cref="JsonElement.GetString"/> throw; it is none here.
    /// </summary>
    public static Option<string> TextOf(JsonElement element)
    {
        string? text = null;
        try
        {
            text = element.GetString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate: the string has no text.
        }
        return Optional(text);
    }

    /// <summary>A number of seconds, tolerated as a numeric string or with a fraction (rounded down); none when absent or null.</summary>
    public static Either<string, Option<TimeSpan>> Seconds(JsonElement root, string name, TimeSpan max)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
            return Right<string, Option<TimeSpan>>(None);
        var seconds = element.ValueKind switch
        {
            JsonValueKind.Number when element.TryGetDouble(out var d) => Some(d),
            JsonValueKind.String when TextOf(element).Case is string text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => Some(d),
            _ => Option<double>.None,
        };
        return seconds.Match(
            s => double.IsFinite(s) && s >= 0 && s <= max.TotalSeconds
                ? Right<string, Option<TimeSpan>>(Some(TimeSpan.FromSeconds(Math.Floor(s))))
                : Left<string, Option<TimeSpan>>($"'{name}' is out of range"),
            () => Left<string, Option<TimeSpan>>($"'{name}' is not a number"));
    }

    /// <summary>JSON media types: <c>application/json</c> and <c>*/*+json</c>.</summary>
    private static bool IsJsonMediaType(string contentType)
    {
        var media = contentType.AsSpan();
        var semicolon = media.IndexOf(';');
        media = (semicolon < 0 ? media : media[..semicolon]).Trim();
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>An <see cref="PkceError.UnexpectedResponse"/> for <paramref name="answer"/>.</summary>
    public static Either<PkceError, T> Unexpected<T>(HttpAnswer answer, string reason) =>
        new PkceError.UnexpectedResponse(answer.Endpoint, answer.Status, answer.ContentType, reason, Excerpt(answer));

    /// <summary>The start of an error body, for diagnosis, made printable; a 2xx body may hold a token and is never kept.</summary>
    private static Option<string> Excerpt(HttpAnswer answer) =>
        answer.Status is >= 200 and < 300 || answer.Body.Length == 0
            ? None
            : Some(ServerText.Printable(Encoding.UTF8.GetString(answer.Body, 0, Math.Min(answer.Body.Length, ServerText.MaxLength * 4))));
}
