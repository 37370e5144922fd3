using System.Net;
using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// An authorization server's answers in process, for the fast tests of the I/O halves: the library's own
/// <see cref="HttpPort"/> and pinned transport over a handler that answers from a function instead of a socket. No
/// port is opened; every request is recorded (method, address, headers, form) for the test to check.
/// </summary>
internal sealed class FakeServer : HttpMessageHandler
{
    private readonly Func<Sent, HttpResponseMessage> _answer;

    public FakeServer(Func<Sent, HttpResponseMessage> answer) => _answer = answer;

    /// <summary>A request as the server received it.</summary>
    public sealed record Sent(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, Dictionary<string, string> Form)
    {
        public string Path => Uri.AbsolutePath;
    }

    public List<Sent> Requests { get; } = [];

    /// <summary>How long the server takes before answering (honouring the request's cancellation, as a socket does).</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>A port over this server: the library's pin, then this handler in place of the socket.</summary>
    public HttpPort Port() => new(new HttpClient(new PinnedTransport(this)));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.NonValidated.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Content is { } content)
            foreach (var pair in (await content.ReadAsStringAsync(cancellationToken)).Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split('=', 2);
                form[WebUtility.UrlDecode(parts[0])] = WebUtility.UrlDecode(parts.Length > 1 ? parts[1] : "");
            }
        var sent = new Sent(request.Method, request.RequestUri!, headers, form);
        lock (Requests) Requests.Add(sent);
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        var response = _answer(sent);
        response.RequestMessage ??= request;
        return response;
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) response.Headers.TryAddWithoutValidation(name, value);
        return response;
    }

    public static HttpResponseMessage Json(string json) => Json(HttpStatusCode.OK, json);

    /// <summary>A token response for a Bearer token.</summary>
    public static HttpResponseMessage Token(string access, int expiresIn = 3600, string? refresh = null, string type = "Bearer") =>
        Json($$"""{"access_token":"{{access}}","token_type":"{{type}}","expires_in":{{expiresIn}}{{(refresh is null ? "" : $",\"refresh_token\":\"{refresh}\"")}}}""");

    public static HttpResponseMessage OAuthError(string error, HttpStatusCode status = HttpStatusCode.BadRequest) =>
        Json(status, $$"""{"error":"{{error}}"}""");
}
