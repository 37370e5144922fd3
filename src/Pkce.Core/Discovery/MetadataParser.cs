using System.Text.Json;
using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>Reads an authorization server metadata document (RFC 8414 §3.2) without I/O; it never throws.</summary>
public static class MetadataParser
{
    /// <summary>What a metadata document is called in messages.</summary>
    public const string EndpointName = "metadata endpoint";

    /// <summary>
    /// RFC 8414 §3.2: a 200 JSON object. §3.3: "The "issuer" value returned MUST be identical to the authorization
    /// server's issuer identifier value into which the well-known URI string was inserted ... If these values are
    /// not identical, the data contained in the response MUST NOT be used" (a mix-up defence: refused as
    /// <see cref="PkceError.InvalidMetadata"/>). RFC 9700 §2.1.1: a server whose
    /// <c>code_challenge_methods_supported</c> lacks <c>S256</c> is refused. Endpoints must be absolute https URLs
    /// (http on loopback only) without a fragment.
    /// </summary>
    public static Either<PkceError, ServerMetadata> Parse(HttpAnswer answer, string expectedIssuer) =>
        JsonAnswer.Read(answer, (root, _) => Document(root, expectedIssuer));

    private static Either<PkceError, ServerMetadata> Document(JsonElement root, string expected)
    {
        PkceError Invalid(string reason) => new PkceError.InvalidMetadata(expected, reason);
        if (!JsonAnswer.TryString(root, "issuer", out var issuer, out var problem)) return Invalid(problem!);
        if (issuer is null) return Invalid("'issuer' is missing");
        if (!string.Equals(issuer, expected, StringComparison.Ordinal))
            return Invalid($"its issuer '{ServerText.Printable(issuer)}' is not the issuer asked for (RFC 8414 §3.3)");
        // An https issuer's endpoints are https too: a loopback http endpoint in its document would hand the client
        // secret to whatever process listens on that port.
        var https = issuer.StartsWith("https:", StringComparison.OrdinalIgnoreCase);
        return from authorize in Endpoint(root, "authorization_endpoint", required: true, https).MapLeft(Invalid)
               from token in Endpoint(root, "token_endpoint", required: true, https).MapLeft(Invalid)
               from par in Endpoint(root, "pushed_authorization_request_endpoint", required: false, https).MapLeft(Invalid)
               from requirePar in Flag(root, "require_pushed_authorization_requests").MapLeft(Invalid)
               from revocation in Endpoint(root, "revocation_endpoint", required: false, https).MapLeft(Invalid)
               from introspection in Endpoint(root, "introspection_endpoint", required: false, https).MapLeft(Invalid)
               from methods in Strings(root, "code_challenge_methods_supported").MapLeft(Invalid)
               from _ in methods.Match(
                   m => m.Exists(x => x == WireNames.S256)
                       ? Right<PkceError, Unit>(unit)
                       : Left<PkceError, Unit>(Invalid("its code_challenge_methods_supported does not list S256 (RFC 9700 §2.1.1)")),
                   () => Right<PkceError, Unit>(unit))
               from iss in Flag(root, "authorization_response_iss_parameter_supported").MapLeft(Invalid)
               from auth in Strings(root, "token_endpoint_auth_methods_supported").MapLeft(Invalid)
               from dpop in Strings(root, "dpop_signing_alg_values_supported").MapLeft(Invalid)
               from __ in guard(!requirePar || par.IsSome, Invalid("it requires pushed authorization requests but names no endpoint for them")).ToEither()
               select new ServerMetadata(issuer, authorize.IfNone(() => throw new InvalidOperationException()),
                   token.IfNone(() => throw new InvalidOperationException()), par, requirePar, revocation, introspection, methods, iss,
                   auth.IfNone(Seq1("client_secret_basic")), dpop);
    }

    private static Either<string, Option<Uri>> Endpoint(JsonElement root, string name, bool required, bool https)
    {
        if (!JsonAnswer.TryString(root, name, out var value, out var problem)) return problem!;
        if (value is null) return required ? $"'{name}' is missing" : Right<string, Option<Uri>>(None);
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || value.Contains('#'))
            return $"'{name}' is not an absolute http(s) URL without a fragment";
        if (uri.Scheme == "http" && (https || !uri.IsLoopback)) return $"'{name}' uses http{(https ? " for an https issuer" : " on a non-loopback host")}";
        if (uri.UserInfo.Length > 0) return $"'{name}' carries user information";
        return Right<string, Option<Uri>>(Some(uri));
    }

    private static Either<string, bool> Flag(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null ? false
        : element.ValueKind is JsonValueKind.True or JsonValueKind.False ? element.GetBoolean()
        : Left<string, bool>($"'{name}' is not a boolean");

    private static Either<string, Option<Seq<string>>> Strings(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null) return Right<string, Option<Seq<string>>>(None);
        if (element.ValueKind != JsonValueKind.Array) return $"'{name}' is not an array";
        var values = new List<string>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || JsonAnswer.TextOf(item).Case is not string text) return $"'{name}' holds a value that is not a string";
            values.Add(text);
        }
        return Right<string, Option<Seq<string>>>(Some(toSeq(values).Strict()));
    }
}
