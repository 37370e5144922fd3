// The README's Quick Start, from the packages: its GitLab manager (compiled from the sample file as it is) pointed at
// the testing package's authorization server, then its two steps: the authorization URL, the redirect followed as a
// browser would, the callback handled, the token fetched. Exit code 0 when the token works at the server's demo API.
using System.Net.Http.Headers;
using System.Text.Json;
using System.Web;
using Pkce.Facade;
using Pkce.LocalAuthority;
using Pkce.Samples;

const string user = "alice";
string redirectUri;
using (var quickStart = new GitLabPkceFlowManager()) redirectUri = quickStart.RedirectUri; // registered as it is
await using var authority = await LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [redirectUri], Scopes = ["read_api"] });
Console.Error.WriteLine($"local authority at {authority.Issuer}");
using var gitlabManager = new GitLabForTests(authority);

// Quick Start, step 1: make and store the secrets, get the authorization URL.
string url = await ManagerUsage.LoginAsync(gitlabManager, user);
Console.Error.WriteLine($"authorization URL: {url[..url.IndexOf('?')]}");

// The browser: the authority signs the test user in at once and redirects to the callback.
using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
var callback = await FollowAsync(browser, url);
Console.Error.WriteLine($"redirected to the callback: {callback.GetLeftPart(UriPartial.Path)}");
var query = HttpUtility.ParseQueryString(callback.Query);

// Quick Start, step 2: the callback handler, as the README writes it.
string outcome = await ManagerUsage.CallbackAsync(gitlabManager, user, query["state"], query["code"], query["iss"]);
Console.WriteLine(outcome);
if (!outcome.StartsWith("signed in (Bearer, ", StringComparison.Ordinal)) return 1;

// The token is real: a second flow with the same manager, its access token sent to the authority's demo API.
url = await gitlabManager.GetAuthorizationUrlAsync(user);
query = HttpUtility.ParseQueryString((await FollowAsync(browser, url)).Query);
PkceTokenResponse token = await gitlabManager.FetchAccessTokenAsync(user, query["state"], query["code"], query["iss"]);
using var request = new HttpRequestMessage(HttpMethod.Get, authority.ApiEndpoint);
request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
using var answer = await browser.SendAsync(request);
using var me = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
Console.WriteLine($"demo API: {(int)answer.StatusCode} for sub {me.RootElement.GetProperty("sub").GetString()}, scope {me.RootElement.GetProperty("scope").GetString()}");
return answer.IsSuccessStatusCode ? 0 : 1;

static async Task<Uri> FollowAsync(HttpClient browser, string url)
{
    using var answer = await browser.GetAsync(url);
    return answer.Headers.Location is { } location && (int)answer.StatusCode is >= 300 and < 400
        ? location
        : throw new InvalidOperationException($"the authorization endpoint answered {(int)answer.StatusCode} without a redirect");
}

/// <summary>The Quick Start's manager, pointed at the local authority: its confidential client (HTTP Basic), its issuer.</summary>
sealed class GitLabForTests(LocalAuthority authority) : GitLabPkceFlowManager
{
    public override string ClientId => authority.Basic.ClientId;
    public override string? ClientSecret => authority.Basic.ClientSecret;
    public override string RootUrl => new Uri(authority.Issuer, "connect/").AbsoluteUri;
    public override string? ExpectedIssuer => authority.Issuer.AbsoluteUri;
    public override bool IssuerAlwaysSent => true;
}
