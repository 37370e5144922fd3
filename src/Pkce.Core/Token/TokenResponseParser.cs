using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// Turns any answer of the token endpoint into a <see cref="TokenResponse"/> or a typed error; it never throws.
/// Tolerated deviations from RFC 6749 §5, each written down where it is accepted:
/// an error object with status 200; <c>expires_in</c> as a
/// numeric string or a number with a fraction; a missing content type.
/// </summary>
public static class TokenResponseParser
{
    private static readonly System.Collections.Generic.HashSet<string> Known = new(StringComparer.Ordinal)
    {
        WireNames.AccessToken, WireNames.TokenType, WireNames.ExpiresIn, WireNames.RefreshToken, WireNames.Scope, WireNames.IdToken,
    };

    /// <summary>
    /// RFC 6749 §5.1: success is 200 with an <c>application/json</c> object holding <c>access_token</c> and
    /// <c>token_type</c>. §5.2: errors are "HTTP 400 (Bad Request) status code (unless specified otherwise)" with
    /// an <c>error</c> member; 401 for <c>invalid_client</c>. Any other status or body is an
    /// <see cref="PkceError.UnexpectedResponse"/>, with a body excerpt only when the status is not 2xx.
    /// </summary>
    public static Either<PkceError, TokenResponse> Parse(HttpAnswer answer)
    {
        var success = answer.Status is >= 200 and < 300;
        if (!IsJsonMediaType(answer.ContentType))
            return Unexpected(answer, $"content type '{ServerText.Printable(answer.ContentType.IfNone(""))}' is not JSON");
        if (!Utf8.IsValid(answer.Body))
            return Unexpected(answer, "the body is not valid UTF-8");
        var text = Encoding.UTF8.GetString(answer.Body);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
            return Unexpected(answer, answer.Body.Length == 0 ? "the body is empty" : "the body is not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Unexpected(answer, "the body is not a JSON object");
            if (root.TryGetProperty(WireNames.Error, out _)) return OAuthError(answer, root);
            return success
                ? Success(answer, root, text)
                : Unexpected(answer, "the body is neither a token nor an OAuth error");
        }
    }

    /// <summary>RFC 6749 §5.2 error object. Tolerated: any status, 200 included (golang/oauth2 does the same).</summary>
    private static Either<PkceError, TokenResponse> OAuthError(HttpAnswer answer, JsonElement root)
    {
        if (!TryString(root, WireNames.Error, out var error, out var problem) || string.IsNullOrEmpty(error))
            return Unexpected(answer, problem ?? $"'{WireNames.Error}' is missing or empty");
        if (!TryString(root, WireNames.ErrorDescription, out var description, out problem)
            || !TryString(root, WireNames.ErrorUri, out var uri, out problem))
            return Unexpected(answer, problem!);
        return new PkceError.TokenEndpointError(answer.Status, error, Optional(description), Optional(uri));
    }

    // Written with early returns rather than a LINQ chain over Either: this runs once per token and every
    // step of such a chain allocates.
    private static Either<PkceError, TokenResponse> Success(HttpAnswer answer, JsonElement root, string text)
    {
        if (!TryString(root, WireNames.AccessToken, out var accessToken, out var problem))
            return Unexpected(answer, problem!);
        if (string.IsNullOrEmpty(accessToken))
            return Unexpected(answer, $"'{WireNames.AccessToken}' is {(accessToken is null ? "missing" : "empty")}");
        if (!TryString(root, WireNames.TokenType, out var tokenType, out problem)
            || !TryString(root, WireNames.RefreshToken, out var refreshToken, out problem)
            || !TryString(root, WireNames.Scope, out var scope, out problem)
            || !TryString(root, WireNames.IdToken, out var idToken, out problem))
            return Unexpected(answer, problem!);
        // RFC 6749 §5.1: token_type is REQUIRED and "case insensitive"; §7.1: "The client MUST NOT use an access
        // token if it does not understand the token type." Only Bearer (RFC 6750) is understood here.
        if (!string.Equals(tokenType, WireNames.Bearer, StringComparison.OrdinalIgnoreCase))
            return new PkceError.UnsupportedTokenType(Optional(tokenType));
        return ExpiresIn(answer, root).Map(expiresIn => new TokenResponse(
            accessToken, tokenType!, expiresIn, Optional(refreshToken), Optional(scope), Optional(idToken), Extras(root), text));
    }

    private static HashMap<string, JsonElement> Extras(JsonElement root)
    {
        var extras = HashMap<string, JsonElement>();
        foreach (var member in root.EnumerateObject())
            if (!Known.Contains(member.Name)) extras = extras.AddOrUpdate(member.Name, member.Value.Clone());
        return extras;
    }

    /// <summary>
    /// Reads an optional string member: absent and <c>null</c> give a null value; any other type, or text that is
    /// not valid Unicode, gives a problem.
    /// </summary>
    private static bool TryString(JsonElement root, string name, out string? value, out string? problem)
    {
        (value, problem) = (null, null);
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return true;
        if (element.ValueKind != JsonValueKind.String)
            problem = $"'{name}' is a {element.ValueKind}, not a string";
        else if (TextOf(element) is { IsSome: true } text)
            value = text.IfNone("");
        else
            problem = $"'{name}' is not valid Unicode (a lone surrogate escape)";
        return problem is null;
    }

    /// <summary>
    /// A JSON string's text. An escaped lone surrogate (<c>"\ud800"</c>) passes <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/>
    /// and then makes <see cref="JsonElement.GetString"/> throw; it is none here.
    /// </summary>
    private static Option<string> TextOf(JsonElement element)
    {
        try
        {
            return Optional(element.GetString());
        }
        catch (InvalidOperationException)
        {
            return None;
        }
    }

    /// <summary>
    /// RFC 6749 §5.1: "expires_in RECOMMENDED. The lifetime in seconds of the access token." Tolerated: a numeric
    /// string and a fraction (rounded down). Refused: negative values and values beyond 100 years.
    /// </summary>
    private static Either<PkceError, Option<TimeSpan>> ExpiresIn(HttpAnswer answer, JsonElement root)
    {
        if (!root.TryGetProperty(WireNames.ExpiresIn, out var element) || element.ValueKind == JsonValueKind.Null)
            return Right<PkceError, Option<TimeSpan>>(None);
        var seconds = element.ValueKind switch
        {
            JsonValueKind.Number when element.TryGetDouble(out var d) => Some(d),
            JsonValueKind.String when double.TryParse(TextOf(element).IfNone(""), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => Some(d),
            _ => Option<double>.None,
        };
        return seconds.Match(
            s => double.IsFinite(s) && s >= 0 && s <= MaxLifetime.TotalSeconds
                ? Right<PkceError, Option<TimeSpan>>(Some(TimeSpan.FromSeconds(Math.Floor(s))))
                : Unexpected<Option<TimeSpan>>(answer, $"'{WireNames.ExpiresIn}' is out of range"),
            () => Unexpected<Option<TimeSpan>>(answer, $"'{WireNames.ExpiresIn}' is not a number"));
    }

    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(36525);

    /// <summary>JSON media types: <c>application/json</c>, <c>*/*+json</c>, and (tolerated) none at all.</summary>
    private static bool IsJsonMediaType(Option<string> contentType) =>
        contentType.Match(
            ct =>
            {
                var media = ct.AsSpan();
                var semicolon = media.IndexOf(';');
                media = (semicolon < 0 ? media : media[..semicolon]).Trim();
                return media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                    || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
            },
            () => true);

    private static Either<PkceError, TokenResponse> Unexpected(HttpAnswer answer, string reason) => Unexpected<TokenResponse>(answer, reason);

    private static Either<PkceError, T> Unexpected<T>(HttpAnswer answer, string reason) =>
        new PkceError.UnexpectedResponse(answer.Status, answer.ContentType, reason, Excerpt(answer));

    /// <summary>The start of an error body, for diagnosis; a 2xx body may hold a token and is never kept.</summary>
    private static Option<string> Excerpt(HttpAnswer answer) =>
        answer.Status is >= 200 and < 300 || answer.Body.Length == 0
            ? None
            : Some(ServerText.Printable(Encoding.UTF8.GetString(answer.Body, 0, Math.Min(answer.Body.Length, ServerText.MaxLength * 4))));
}
