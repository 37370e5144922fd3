using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Pkce.Integration.Dpop;

/// <summary>What an endpoint answered: status, JSON body (empty object when there was none), the <c>DPoP-Nonce</c> and <c>WWW-Authenticate</c> headers.</summary>
internal sealed record Answer(HttpStatusCode Status, JsonElement Body, string? Nonce, string? Challenge)
{
    public string? Text(string name) => Body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string Error => Text("error") ?? "";

    public override string ToString() => $"{(int)Status} {Body} nonce={Nonce} challenge={Challenge}";
}

/// <summary>
/// TEST-ONLY plain HTTP for the DPoP tests: the library's DPoP is not written yet (and these tests check the servers,
/// not it), so the authorization request, PKCE, the token request and the API call are made here by hand, with
/// <see cref="TestProofs"/> for the proofs.
/// </summary>
internal static class DpopRequests
{
    public static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>RFC 7636: a verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>An authorization request URL: code flow, S256, a random state, and any extra parameters (<c>dpop_jkt</c>...).</summary>
    public static string AuthorizationUrl(Uri endpoint, string clientId, string redirectUri, string scope, string challenge, params (string Name, string Value)[] extra)
    {
        (string, string)[] parameters =
        [
            ("response_type", "code"), ("client_id", clientId), ("redirect_uri", redirectUri), ("scope", scope),
            ("state", Base64Url(RandomNumberGenerator.GetBytes(16))), ("code_challenge", challenge), ("code_challenge_method", "S256"),
            .. extra,
        ];
        return endpoint.AbsoluteUri + "?" + string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Item1)}={Uri.EscapeDataString(p.Item2)}"));
    }

    /// <summary>The <c>code</c> of a callback URL; fails the test when the callback carries an error instead.</summary>
    public static string Code(string callback)
    {
        var query = new Uri(callback).Query.TrimStart('?').Split('&')
            .Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : ""));
        return query.TryGetValue("code", out var code) ? code : throw new Xunit.Sdk.XunitException($"no code in the callback {callback}");
    }

    /// <summary>POSTs a form (a token or PAR request) with an optional Basic header and DPoP proof.</summary>
    public static async Task<Answer> PostAsync(Uri endpoint, IEnumerable<(string Name, string Value)> form, string? basic = null, string? proof = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Name, p.Value))),
        };
        if (basic is not null) request.Headers.TryAddWithoutValidation("Authorization", basic);
        if (proof is not null) request.Headers.TryAddWithoutValidation("DPoP", proof);
        return await SendAsync(request);
    }

    /// <summary>GETs <paramref name="url"/> with an Authorization header (when given) and any DPoP headers.</summary>
    public static async Task<Answer> GetAsync(string url, string? authorization, params string[] proofs)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (authorization is not null) request.Headers.TryAddWithoutValidation("Authorization", authorization);
        foreach (var proof in proofs) request.Headers.TryAddWithoutValidation("DPoP", proof);
        return await SendAsync(request);
    }

    private static async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        var nonce = response.Headers.TryGetValues("DPoP-Nonce", out var nonces) ? nonces.Single() : null;
        var challenge = response.Headers.TryGetValues("WWW-Authenticate", out var challenges) ? string.Join(", ", challenges) : null;
        return new Answer(response.StatusCode, body.RootElement.Clone(), nonce, challenge);
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
