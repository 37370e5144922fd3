using System.Text.Json;
using LanguageExt;

namespace Pkce.Facade;

/// <summary>
/// A token response for object-oriented callers: the parsed fields as plain properties, the whole JSON object
/// (the seed's users read <c>token_resp.json()['access_token']</c>; here <c>Json.GetProperty("access_token")</c>),
/// and the raw body. Prints without any token.
/// </summary>
public sealed class PkceTokenResponse
{
    private JsonElement? _json;

    internal PkceTokenResponse(TokenResponse parsed) => Parsed = parsed;

    /// <summary>The core's typed response.</summary>
    public TokenResponse Parsed { get; }

    /// <summary>The access token.</summary>
    public string AccessToken => Parsed.AccessToken;

    /// <summary>The token type, e.g. <c>Bearer</c>.</summary>
    public string TokenType => Parsed.TokenType;

    /// <summary>The lifetime the server gave, if any.</summary>
    public TimeSpan? ExpiresIn => Parsed.ExpiresIn.ToNullable();

    /// <summary>The refresh token, if any.</summary>
    public string? RefreshToken => Parsed.RefreshToken.IfNoneUnsafe((string?)null);

    /// <summary>The granted scope, if the server said.</summary>
    public string? Scope => Parsed.Scope.IfNoneUnsafe((string?)null);

    /// <summary>The OpenID Connect ID token, if any (not validated).</summary>
    public string? IdToken => Parsed.IdToken.IfNoneUnsafe((string?)null);

    /// <summary>The whole response object.</summary>
    public JsonElement Json => _json ??= Parsed.ParseJson();

    /// <summary>The response body as received (secret: it holds the tokens).</summary>
    public string RawJson => Parsed.RawJson;

    /// <summary>The token type, lifetime and scope; never a token.</summary>
    public override string ToString() => Parsed.ToString();
}
