using Pkce.Cli;

namespace Pkce.Integration.Cli;

/// <summary>The loopback listener's decision, without a socket: what the command does with each request.</summary>
public sealed class CallbackRequestTests
{
    private static readonly Uri Redirect = new("http://127.0.0.1:53682/callback");
    private static readonly State Expected = State.From("fuzzstate0fuzzstate1fuzzstate2fuzzstate3abc").IfLeft(_ => throw new InvalidOperationException());

    private static CallbackRequest.Decision Decide(string method, string target, string host = "127.0.0.1:53682", string path = "/callback") =>
        CallbackRequest.Decide(Redirect, Expected, host, method, path, target);

    [Fact]
    public void The_callback_with_this_logins_state_is_accepted_as_a_full_url() =>
        Assert.Equal(new CallbackRequest.Accepted($"http://127.0.0.1:53682/callback?code=c&state={Expected}"),
            Decide("GET", $"/callback?code=c&state={Expected}"));

    [Theory]
    [InlineData("GET", "/callback?code=c&state=STATE", "rebind.example:53682", "/callback", 400)]
    [InlineData("GET", "/favicon.ico", "127.0.0.1:53682", "/favicon.ico", 404)]
    [InlineData("POST", "/callback?code=c&state=STATE", "127.0.0.1:53682", "/callback", 405)]
    [InlineData("GET", "/callback?code=c&state=forged", "127.0.0.1:53682", "/callback", 400)]
    public void Every_other_request_is_refused_with_its_status(string method, string target, string host, string path, int status) =>
        Assert.Equal(status, Assert.IsType<CallbackRequest.Refused>(Decide(method, target.Replace("STATE", Expected.Value), host, path)).Status);

    [Fact]
    public void An_accepted_callback_prints_without_its_code() =>
        Assert.Equal("Accepted { Url = [redacted] }", Decide("GET", $"/callback?code=s3cret&state={Expected}").ToString());

    [Fact]
    public void Nothing_is_accepted_before_the_login_sets_its_state() =>
        Assert.IsType<CallbackRequest.Refused>(CallbackRequest.Decide(Redirect, null, "127.0.0.1:53682", "GET", "/callback", $"/callback?code=c&state={Expected}"));

    [Fact] // found by fuzzing (tests/Pkce.Fuzz/crashes/cli-callback): new Uri(redirect, target) threw UriFormatException
    public void An_absolute_target_whose_authority_does_not_parse_is_refused_not_thrown() =>
        Assert.Equal(400, Assert.IsType<CallbackRequest.Refused>(Decide("GET", $"zstate3abc://1de=/callback?error=d&state={Expected}")).Status);

    [Theory]
    [InlineData("/callback/?code=REAL-CODE&state=STATE", "/callback/", "a GET request for /callback/")]
    [InlineData("/other?code=REAL-CODE", "/other", "a GET request for /other")]
    [InlineData("http://127.0.0.1:53682/callback/?code=REAL-CODE&state=STATE", "/callback/", "a GET request for /callback/")]
    public void A_request_on_another_path_is_described_by_its_path_never_its_query(string target, string path, string what)
    {
        var refused = Assert.IsType<CallbackRequest.Refused>(Decide("GET", target.Replace("STATE", Expected.Value), path: path));
        Assert.Equal((404, what), (refused.Status, refused.What));
    }

    [Fact]
    public async Task The_listener_reports_a_stray_request_by_its_path_without_its_query()
    {
        var reports = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var listener = await CallbackListener.StartAsync(new Uri("http://127.0.0.1:0/callback"), reports.Enqueue, default);
        using var http = new HttpClient();
        using var answer = await http.GetAsync(new Uri(listener.RedirectUri, "/callback/?code=REAL-CODE&state=x"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
        var report = Assert.Single(reports);
        Assert.StartsWith("ignored a GET request for /callback/ (answered 404)", report);
        Assert.DoesNotContain("REAL-CODE", report);
    }
}
