using System.Runtime.CompilerServices;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Builds the authorization request URL (RFC 6749 §4.1.1 with RFC 7636 §4.3).</summary>
public static class AuthorizationUrl
{
    /// <summary>Builds the URL with no extra parameters.</summary>
    public static Either<PkceError, string> Build(PkceConfig config, PendingAuthorization pending) =>
        Build(config, pending.State, pending.Challenge, Seq<QueryParameter>());

    /// <summary>
    /// RFC 6749 §4.1.1: <c>response_type=code</c>, <c>client_id</c>, <c>redirect_uri</c>, <c>scope</c>,
    /// <c>state</c>; RFC 7636 §4.3: <c>code_challenge</c> and <c>code_challenge_method=S256</c>. Then the caller's
    /// <paramref name="extras"/> (the seed's extra-parameters hook, e.g. <c>prompt</c>), which may neither repeat
    /// one another nor name a parameter the endpoint's own query sets or one of
    /// <see cref="WireNames.ReservedAuthorizationParameters"/>, in any letter case (RFC 6749 §3.1:
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
        CheckExtras(config, extras).Match(
            error => Left<PkceError, string>(error),
            () => Right<PkceError, string>(Compose(config, state, challenge, extras)));

    /// <summary>
    /// The authorization request's parameters as a list, for a pushed request (RFC 9126 §2.1: "the client
    /// includes ... all authorization request parameters"): the same names and values as in <see cref="Build(PkceConfig, PendingAuthorization, Seq{QueryParameter})"/>
    /// but <c>client_id</c>, which the client authentication adds, with the same checks of the extras.
    /// </summary>
    public static Either<PkceError, Seq<QueryParameter>> Parameters(PkceConfig config, PendingAuthorization pending, Seq<QueryParameter> extras) =>
        CheckExtras(config, extras).Match(
            error => Left<PkceError, Seq<QueryParameter>>(error),
            () => Right<PkceError, Seq<QueryParameter>>(
                Seq(new QueryParameter(WireNames.ResponseType, "code"), new QueryParameter(WireNames.RedirectUri, config.Client.RedirectUri.OriginalString))
                    + config.Client.Scope.Map(scope => new QueryParameter(WireNames.Scope, scope)).ToSeq()
                    + Seq(new QueryParameter(WireNames.State, pending.State.Value), new QueryParameter(WireNames.CodeChallenge, pending.Challenge.Value),
                        new QueryParameter(WireNames.CodeChallengeMethod, WireNames.S256))
                    + extras));

    /// <summary>
    /// RFC 9126 §4: after a push, the authorization request holds only <c>client_id</c> and the
    /// <c>request_uri</c> the server gave (with the endpoint's own query kept, RFC 6749 §3.1).
    /// </summary>
    public static string Pushed(PkceConfig config, string requestUri)
    {
        var endpoint = config.Server.AuthorizationEndpoint;
        var query = endpoint.Query.Length > 1 ? endpoint.Query + "&" : "?";
        return $"{endpoint.GetLeftPart(UriPartial.Path)}{query}{WireNames.ClientId}={Uri.EscapeDataString(config.Client.ClientId)}" +
               $"&{WireNames.RequestUri}={Uri.EscapeDataString(requestUri)}";
    }

    /// <summary>
    /// The part of every URL that depends on the configuration only: endpoint, its own query, and the encoded
    /// <c>response_type</c>, <c>client_id</c>, <c>redirect_uri</c> and <c>scope</c>. Computed once per configuration.
    /// </summary>
    internal static string Prefix(ClientConfig client, Uri endpoint)
    {
        var query = endpoint.Query.Length > 1 ? endpoint.Query + "&" : "?";
        var scope = client.Scope.Match(s => $"&{WireNames.Scope}={Uri.EscapeDataString(s)}", () => "");
        return $"{endpoint.GetLeftPart(UriPartial.Path)}{query}{WireNames.ResponseType}=code&{WireNames.ClientId}={Uri.EscapeDataString(client.ClientId)}" +
               $"&{WireNames.RedirectUri}={Uri.EscapeDataString(client.RedirectUri.OriginalString)}{scope}";
    }

    private static Option<PkceError> CheckExtras(PkceConfig config, Seq<QueryParameter> extras)
    {
        var index = 0;
        foreach (var extra in extras)
        {
            if (extra?.Name is null || extra.Value is null)
                return new PkceError.InvalidValue("extra parameter", "an extra parameter has no name or no value");
            if (extra.Name.Length == 0)
                return new PkceError.InvalidValue("extra parameter", "an extra parameter has an empty name");
            // Servers that normalise names (trim spaces, fold '.' to '_', fold Unicode case) must not be able to read
            // an extra as a reserved parameter: names are plain ASCII words, as every registered parameter is.
            if (!extra.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                return new PkceError.InvalidValue("extra parameter", $"'{ServerText.Printable(extra.Name)}' is not made of ASCII letters, digits, '_' and '-'");
            if (config.TakenParameterNames.Contains(extra.Name) || extras.Take(index).Exists(e => string.Equals(e.Name, extra.Name, StringComparison.OrdinalIgnoreCase)))
                return new PkceError.InvalidValue("extra parameter", $"'{ServerText.Printable(extra.Name)}' is already set by the request");
            if (!QueryString.IsWellFormed(extra.Name) || !QueryString.IsWellFormed(extra.Value))
                return new PkceError.InvalidValue("extra parameter", $"'{ServerText.Printable(extra.Name)}' contains a lone UTF-16 surrogate");
            index++;
        }
        return None;
    }

    // State and challenge are base64url (our own) or VSCHAR (a stored state); both are escaped like any value.
    private static string Compose(PkceConfig config, State state, CodeChallenge challenge, Seq<QueryParameter> extras)
    {
        var url = new DefaultInterpolatedStringHandler(0, 0, null, stackalloc char[768]);
        url.AppendLiteral(config.AuthorizationRequestPrefix);
        url.AppendLiteral("&" + WireNames.State + "=");
        url.AppendLiteral(Uri.EscapeDataString(state.Value));
        url.AppendLiteral("&" + WireNames.CodeChallenge + "=");
        url.AppendLiteral(challenge.Value);
        url.AppendLiteral("&" + WireNames.CodeChallengeMethod + "=" + WireNames.S256);
        foreach (var extra in extras)
        {
            url.AppendLiteral("&");
            url.AppendLiteral(Uri.EscapeDataString(extra.Name));
            url.AppendLiteral("=");
            url.AppendLiteral(Uri.EscapeDataString(extra.Value));
        }
        return url.ToStringAndClear();
    }
}
