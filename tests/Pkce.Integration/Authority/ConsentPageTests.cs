using System.Net;
using Pkce.Http;
using Pkce.Integration.Conformance;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Authority;

/// <summary>The consent page of <see cref="LocalAuthorityOptions.RequireConsent"/>, driven as a browser would.</summary>
public sealed class ConsentPageTests : IAsyncLifetime
{
    private const string Hostile = "\"><script>alert(1)</script>";
    private static readonly UserKey Alice = UserKey.From("alice").IfLeft(_ => throw new InvalidOperationException());

    private LocalAuthority.LocalAuthority _authority = null!;
    private readonly HttpPort _http = HttpPort.Create();
    private readonly ConsentBrowser _browser = new();

    private Dependencies Deps => Dependencies.System(_http);

    public async Task InitializeAsync() => _authority = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RequireConsent = true });

    public async Task DisposeAsync()
    {
        _browser.Dispose();
        _http.Dispose();
        await _authority.DisposeAsync();
    }

    private async Task<(PkceConfig Config, InMemoryPendingStore Store, string Url)> StartedAsync(PkceConfig config)
    {
        var store = new InMemoryPendingStore();
        var started = await Expect.Right(Flow.Start(config, Deps, store.Save, Alice, default));
        return (config, store, started.AuthorizationUrl);
    }

    private Task<(PkceConfig Config, InMemoryPendingStore Store, string Url)> StartedAsync(LocalClient client) =>
        StartedAsync(Expect.Value(Config.Validate(AuthorityFixture.SettingsFor(_authority, client))));

    private static string Redirect(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var location = answer.Headers.Location!.OriginalString;
        Assert.StartsWith(AuthorityFixture.RedirectUri + "?", location);
        return location;
    }

    [Fact]
    public async Task The_page_names_the_client_and_the_scopes_and_repeats_the_request_beside_both_buttons()
    {
        var (_, _, url) = await StartedAsync(_authority.Public);
        var form = await _browser.OpenAsync(url);
        Assert.Contains("<button type=\"submit\" name=\"decision\" value=\"approve\" id=\"approve\">Approve</button>", form.Html);
        Assert.Contains("<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>", form.Html);
        Assert.Contains("<strong id=\"client\">pkce-public</strong>", form.Html);
        Assert.Contains("<li>api</li><li>offline_access</li>", form.Html);
        Assert.Equal(_authority.AuthorizationEndpoint, form.Action);
        var sent = QueryString.Parse(new Uri(url).Query).Map(p => KeyValuePair.Create(p.Name, p.Value)).ToArray();
        Assert.Equal(sent, form.Fields.Where(f => f.Key != ConsentForm.AntiforgeryField));
        Assert.NotEmpty(form.Field(ConsentForm.AntiforgeryField));
    }

    [Fact]
    public async Task Approving_redirects_with_a_code_that_redeems_for_a_token()
    {
        var (config, store, url) = await StartedAsync(_authority.Public);
        using var answer = await _browser.SubmitAsync(await _browser.OpenAsync(url), "approve");
        var token = await Expect.Right(Flow.Complete(config, Deps, store.Take, Alice, Redirect(answer), default));
        var introspection = await _authority.IntrospectAsync(token.AccessToken);
        Assert.Equal((true, "pkce-public", LocalAuthority.LocalAuthority.DefaultSubject), (introspection.Active, introspection.ClientId, introspection.Subject));
    }

    [Fact]
    public async Task Denying_redirects_with_access_denied_and_no_code()
    {
        var (config, store, url) = await StartedAsync(_authority.Public);
        using var answer = await _browser.SubmitAsync(await _browser.OpenAsync(url), "deny");
        var callback = Redirect(answer);
        Assert.DoesNotContain("code=", callback);
        var before = _authority.TokenRequests;
        var denied = Assert.IsType<PkceError.AuthorizationDenied>(await Expect.Left(Flow.Complete(config, Deps, store.Take, Alice, callback, default)));
        Assert.Equal(("access_denied", "The user denied consent."), (denied.Error, denied.ErrorDescription.IfNone("")));
        Assert.Equal(before, _authority.TokenRequests);
    }

    [Fact]
    public async Task A_hostile_state_is_html_encoded_on_the_page_and_comes_back_intact()
    {
        var (_, _, url) = await StartedAsync(_authority.Public);
        var query = QueryString.Parse(new Uri(url).Query)
            .Map(p => $"{p.Name}={Uri.EscapeDataString(p.Name == "state" ? Hostile : p.Value)}");
        var hostileUrl = $"{_authority.AuthorizationEndpoint}?{string.Join("&", query)}";
        var form = await _browser.OpenAsync(hostileUrl);
        Assert.DoesNotContain("<script>", form.Html);
        Assert.Contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"", form.Html);
        Assert.Equal(Hostile, form.Field("state"));
        using var answer = await _browser.SubmitAsync(form, "approve");
        var returned = QueryString.Parse(new Uri(Redirect(answer)).Query).Find(p => p.Name == "state").Map(p => p.Value);
        Assert.Equal(Some(Hostile), returned);
    }

    [Fact]
    public async Task A_decision_posted_without_the_antiforgery_token_is_refused_and_no_code_is_issued()
    {
        var (_, _, url) = await StartedAsync(_authority.Public);
        var form = await _browser.OpenAsync(url);
        using var answer = await _browser.SubmitAsync(form, "approve", without: ConsentForm.AntiforgeryField);
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
        Assert.Contains("antiforgery", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_decision_posted_from_another_browser_with_a_token_lifted_from_the_page_is_refused()
    {
        var (_, _, url) = await StartedAsync(_authority.Public);
        var form = await _browser.OpenAsync(url);
        using var victim = new ConsentBrowser();
        using var answer = await victim.SubmitAsync(form, "approve");
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Null(answer.Headers.Location);
    }

    [Fact]
    public async Task A_pushed_request_is_approved_on_the_page_its_code_redeems_and_it_cannot_be_approved_twice()
    {
        var cache = new MetadataCache(_http, TimeProvider.System, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        var settings = new PkceSettings
        {
            ClientId = _authority.Par.ClientId,
            ClientSecret = _authority.Par.ClientSecret,
            RedirectUri = AuthorityFixture.RedirectUri,
            Scope = "api offline_access",
            Timeout = TimeSpan.FromSeconds(10),
        };
        var config = await Expect.Right(DiscoveredConfig.Discover(settings, cache, _authority.Issuer.AbsoluteUri, default));
        var (_, store, url) = await StartedAsync(config);
        var form = await _browser.OpenAsync(url);
        Assert.Equal(new[] { "client_id", "request_uri", ConsentForm.AntiforgeryField }, form.Fields.Select(f => f.Key));
        Assert.Contains("<li>api</li><li>offline_access</li>", form.Html);
        using var answer = await _browser.SubmitAsync(form, "approve");
        var token = await Expect.Right(Flow.Complete(config, Deps, store.Take, Alice, Redirect(answer), default));
        Assert.Equal("pkce-par", (await _authority.IntrospectAsync(token.AccessToken)).ClientId);
        // RFC 9126 §4: request_uri values are one-time use; OpenIddict redeems one when the code is issued, not when
        // the page is shown, which is what lets the page post the same request_uri back.
        using var again = await _browser.SubmitAsync(form, "approve");
        Assert.Equal((HttpStatusCode.BadRequest, null), (again.StatusCode, again.Headers.Location));
    }

    [Fact]
    public async Task Deny_authorizations_set_at_start_answers_access_denied_before_any_page()
    {
        await using var denying = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RequireConsent = true, DenyAuthorizations = true });
        Assert.True(denying.DenyAuthorizations);
        var (_, _, url) = await StartedAsync(Expect.Value(Config.Validate(AuthorityFixture.SettingsFor(denying, denying.Public))));
        using var answer = await _browser.Client.GetAsync(url);
        Assert.Contains("error=access_denied", Redirect(answer));
    }
}
