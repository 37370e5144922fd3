using System.Net;
using System.Text;
using Pkce.Integration.Conformance;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Dpop;

/// <summary>TEST-ONLY steps against the local authority for the DPoP tests, by hand (see <see cref="DpopRequests"/>).</summary>
internal static class LocalDpop
{
    public const string Scope = "api offline_access";

    /// <summary>RFC 6749 §2.3.1 Basic credentials of a confidential client; null for the public one.</summary>
    public static string? Basic(LocalClient client) => client.ClientSecret is null ? null
        : "Basic " + Convert.ToBase64String(Encoding.ASCII.GetBytes($"{WebUtility.UrlEncode(client.ClientId)}:{WebUtility.UrlEncode(client.ClientSecret)}"));

    /// <summary>Sends an authorization request (with <paramref name="extra"/> parameters) and returns the code and its verifier.</summary>
    public static async Task<(string Code, string Verifier)> AuthorizeAsync(LocalAuthority.LocalAuthority authority, LocalClient client, params (string, string)[] extra)
    {
        var (verifier, challenge) = DpopRequests.Pkce();
        var url = DpopRequests.AuthorizationUrl(authority.AuthorizationEndpoint, client.ClientId, AuthorityFixture.RedirectUri, Scope, challenge, extra);
        return (await FollowAsync(url), verifier);
    }

    /// <summary>The code the authorization endpoint redirects to, which the test fails without.</summary>
    public static async Task<string> FollowAsync(string authorizationUrl)
    {
        using var response = await DpopRequests.Http.GetAsync(authorizationUrl);
        var location = response.Headers.Location ?? throw new Xunit.Sdk.XunitException(
            $"the authorization endpoint answered {(int)response.StatusCode} without a redirect: {await response.Content.ReadAsStringAsync()}");
        return DpopRequests.Code(location.OriginalString);
    }

    /// <summary>The authorization code grant for <paramref name="client"/>, with a proof when one is given.</summary>
    public static Task<Answer> RedeemAsync(LocalAuthority.LocalAuthority authority, LocalClient client, (string Code, string Verifier) code, string? proof) =>
        DpopRequests.PostAsync(authority.TokenEndpoint,
            [("grant_type", "authorization_code"), ("client_id", client.ClientId), ("code", code.Code), ("code_verifier", code.Verifier),
             ("redirect_uri", AuthorityFixture.RedirectUri)],
            Basic(client), proof);

    /// <summary>The refresh token grant for <paramref name="client"/>, with a proof when one is given.</summary>
    public static Task<Answer> RefreshAsync(LocalAuthority.LocalAuthority authority, LocalClient client, string refreshToken, string? proof) =>
        DpopRequests.PostAsync(authority.TokenEndpoint,
            [("grant_type", "refresh_token"), ("client_id", client.ClientId), ("refresh_token", refreshToken)], Basic(client), proof);

    /// <summary>A proof for the token endpoint of <paramref name="authority"/>.</summary>
    public static string TokenProof(this TestProofs key, LocalAuthority.LocalAuthority authority, string? nonce = null) =>
        key.Proof("POST", authority.TokenEndpoint.AbsoluteUri, nonce: nonce);

    /// <summary>Signs in and redeems the code with a proof of <paramref name="key"/>: the DPoP-bound token response, checked to be 200.</summary>
    public static async Task<Answer> DpopTokenAsync(LocalAuthority.LocalAuthority authority, LocalClient client, TestProofs key)
    {
        var answer = await RedeemAsync(authority, client, await AuthorizeAsync(authority, client), key.TokenProof(authority));
        Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
        return answer;
    }
}
