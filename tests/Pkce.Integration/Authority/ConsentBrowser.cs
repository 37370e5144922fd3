using System.Net;
using System.Text.RegularExpressions;

namespace Pkce.Integration.Authority;

/// <summary>What the consent page holds: its HTML, where its form posts, and the form's hidden fields (decoded).</summary>
internal sealed record ConsentForm(string Html, Uri Action, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>ASP.NET Core antiforgery's default form field.</summary>
    public const string AntiforgeryField = "__RequestVerificationToken";

    public string Field(string name) => Fields.Single(f => f.Key == name).Value;
}

/// <summary>Plays a browser on the consent page: keeps its cookies, reads the form, presses a button; never follows a redirect.</summary>
internal sealed partial class ConsentBrowser : IDisposable
{
    private readonly HttpClient _client;

    public ConsentBrowser() =>
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() });

    public HttpClient Client => _client;

    /// <summary>Requests the authorization URL and reads the consent page it answers with.</summary>
    public async Task<ConsentForm> OpenAsync(string authorizationUrl)
    {
        using var response = await _client.GetAsync(authorizationUrl);
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected the consent page, got {(int)response.StatusCode} {response.Headers.Location}: {html}");
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        var fields = HiddenInput().Matches(html)
            .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups[1].Value), WebUtility.HtmlDecode(m.Groups[2].Value)))
            .ToList();
        return new ConsentForm(html, new Uri(new Uri(authorizationUrl), action), fields);
    }

    /// <summary>Presses the button whose <c>decision</c> is <paramref name="decision"/>, optionally leaving a field out.</summary>
    public Task<HttpResponseMessage> SubmitAsync(ConsentForm form, string decision, string? without = null) =>
        _client.PostAsync(form.Action, new FormUrlEncodedContent(
            form.Fields.Where(f => f.Key != without).Append(KeyValuePair.Create("decision", decision))));

    public void Dispose() => _client.Dispose();

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\">")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenInput();
}
