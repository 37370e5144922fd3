using System.Text;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Builds the authorization request URL (RFC 6749 §4.1.1 with RFC 7636 §4.3).</summary>
public static class AuthorizationUrl
{
    /// <summary>Builds the URL with no extra parameters.</summary>
    public static Either<PkceError, string> Build(PkceConfig config, PendingAuthorization pending) =>
        Build(config, pending, Seq<QueryParameter>());

    /// <summary>
    /// RFC 6749 §4.1.1: <c>response_type=code</c>, <c>client_id</c>, <c>redirect_uri</c>, <c>scope</c>,
    /// <c>state</c>; RFC 7636 §4.3: <c>code_challenge</c> and <c>code_challenge_method=S256</c>. Then the caller's
    /// <paramref name="extras"/> (the seed's extra-parameters hook, e.g. <c>prompt</c>), which may neither repeat
    /// one another nor name a parameter the protocol or the endpoint's own query already sets (RFC 6749 §3.1:
    /// parameters "MUST NOT be included more than once"). RFC 6749 §3.1: the endpoint's query "MUST be retained
    /// when adding additional query parameters".
    /// </summary>
    public static Either<PkceError, string> Build(PkceConfig config, PendingAuthorization pending, Seq<QueryParameter> extras) =>
        Build(config, pending.State, pending.Challenge, extras);

    /// <summary>
    /// The same URL from a state and challenge kept elsewhere (the seed's per-user hooks); the redirect URI is the
    /// configured one.
    /// </summary>
    public static Either<PkceError, string> Build(PkceConfig config, State state, CodeChallenge challenge, Seq<QueryParameter> extras) =>
        from _ in CheckNames(config.Server.AuthorizationEndpoint, extras)
        from encoded in extras.Map(e =>
            from name in QueryString.Encode(e.Name)
            from value in QueryString.Encode(e.Value)
            select name + "=" + value).Sequence()
        select Compose(config, state, challenge, encoded);

    private static Either<PkceError, Unit> CheckNames(Uri endpoint, Seq<QueryParameter> extras)
    {
        var taken = new System.Collections.Generic.HashSet<string>(WireNames.AuthorizationRequestParameters, StringComparer.Ordinal);
        foreach (var existing in QueryString.Parse(endpoint.Query)) taken.Add(existing.Name);
        foreach (var extra in extras)
        {
            if (extra.Name.Length == 0)
                return new PkceError.InvalidValue("extra parameter", "an extra parameter has an empty name");
            if (!taken.Add(extra.Name))
                return new PkceError.InvalidValue("extra parameter", $"'{QueryString.Printable(extra.Name)}' is already set by the request");
        }
        return unit;
    }

    private static string Compose(PkceConfig config, State state, CodeChallenge challenge, Seq<string> encodedExtras)
    {
        var endpoint = config.Server.AuthorizationEndpoint;
        var url = new StringBuilder(512);
        url.Append(endpoint.GetLeftPart(UriPartial.Path));
        url.Append(endpoint.Query.Length > 1 ? endpoint.Query + "&" : "?");
        Append(url, WireNames.ResponseType, "code").Append('&');
        Append(url, WireNames.ClientId, config.Client.ClientId).Append('&');
        Append(url, WireNames.RedirectUri, config.Client.RedirectUri.OriginalString).Append('&');
        config.Client.Scope.IfSome(scope => Append(url, WireNames.Scope, scope).Append('&'));
        Append(url, WireNames.State, state.Value).Append('&');
        Append(url, WireNames.CodeChallenge, challenge.Value).Append('&');
        Append(url, WireNames.CodeChallengeMethod, WireNames.S256);
        foreach (var extra in encodedExtras) url.Append('&').Append(extra);
        return url.ToString();
    }

    // Protocol values (client id: VSCHAR; redirect URI: a parsed URI; state: VSCHAR) are always valid UTF-16.
    private static StringBuilder Append(StringBuilder url, string name, string value) =>
        url.Append(name).Append('=').Append(Uri.EscapeDataString(value));
}
