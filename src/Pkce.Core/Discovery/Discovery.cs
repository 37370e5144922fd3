using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Finds an authorization server's metadata from its issuer identifier alone (RFC 8414 §3).</summary>
public static class Discovery
{
    /// <summary>RFC 8414 §3: the well-known suffix for OAuth 2.0 authorization server metadata.</summary>
    public const string OAuthSuffix = ".well-known/oauth-authorization-server";

    /// <summary>OpenID Connect Discovery 1.0 §4: the well-known suffix of an OpenID provider's configuration.</summary>
    public const string OpenIdSuffix = ".well-known/openid-configuration";

    /// <summary>
    /// Where to look, in order. RFC 8414 §3.1: "inserting a well-known URI string into the authorization server's
    /// issuer identifier between the host component and the path component, if any"; then OpenID Connect
    /// Discovery 1.0 §4.1: the issuer with <c>/.well-known/openid-configuration</c> appended (its trailing slash
    /// removed first). An issuer must be an https URL (http on loopback) without query or fragment (RFC 8414 §2).
    /// </summary>
    public static Either<PkceError, Seq<Uri>> Locations(string issuer)
    {
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || uri.Query.Length > 0 || issuer.Contains('#') || uri.UserInfo.Length > 0)
            return new PkceError.InvalidValue("issuer", $"'{ServerText.Printable(issuer)}' is not an https URL without query or fragment (RFC 8414 §2)");
        if (uri.Scheme == "http" && !uri.IsLoopback)
            return new PkceError.InvalidValue("issuer", $"'{ServerText.Printable(issuer)}' uses http on a non-loopback host");
        var origin = uri.GetLeftPart(UriPartial.Authority);
        // RFC 8414 §3.1: "any terminating "/" MUST be removed before inserting "/.well-known/"".
        var path = uri.AbsolutePath.TrimEnd('/');
        return Seq(new Uri($"{origin}/{OAuthSuffix}{path}"), new Uri($"{origin}{path}/{OpenIdSuffix}"));
    }

    /// <summary>
    /// Fetches and checks the metadata of <paramref name="issuer"/> (no cache: see <see cref="MetadataCache"/>).
    /// The RFC 8414 location first; when it answers with an error status, the OpenID Connect one. A document that is
    /// there but wrong (another issuer, no S256) is refused without looking further. Each GET goes through
    /// <paramref name="http"/>: once, no redirect followed, bounded, within <paramref name="timeout"/>.
    /// </summary>
    public static EitherAsync<PkceError, ServerMetadata> Fetch(HttpPort http, string issuer, TimeSpan timeout, CancellationToken cancellationToken) =>
        FetchAsync(http, issuer, timeout, cancellationToken).ToAsync();

    private static async Task<Either<PkceError, ServerMetadata>> FetchAsync(HttpPort http, string issuer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var locations = Locations(issuer);
        if (locations.IsLeft) return locations.Map(_ => default(ServerMetadata)!);
        var places = locations.IfLeft(Seq<Uri>());
        var first = await FetchFrom(http, places[0], issuer, timeout, cancellationToken).ConfigureAwait(false);
        // Only "no metadata here" (an error status, an HTML page, anything not a JSON object) sends us on to the next
        // location; a metadata document that is wrong (another issuer, no S256) stops the search.
        return first.Match(_ => false, e => e is PkceError.UnexpectedResponse or PkceError.EndpointError)
            ? await FetchFrom(http, places[1], issuer, timeout, cancellationToken).ConfigureAwait(false)
            : first;
    }

    private static async Task<Either<PkceError, ServerMetadata>> FetchFrom(HttpPort http, Uri place, string issuer, TimeSpan timeout, CancellationToken cancellationToken) =>
        (await http.Get(MetadataParser.EndpointName, place, timeout, cancellationToken).ConfigureAwait(false))
            .Bind(answer => MetadataParser.Parse(answer, issuer));
}
