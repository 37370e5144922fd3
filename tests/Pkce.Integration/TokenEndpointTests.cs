using Pkce.Http;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Pkce.Integration;

public sealed class TokenEndpointTests : IAsyncLifetime
{
    private TokenEndpointHost _server = null!;
    private readonly HttpPort _http = HttpPort.Create();

    public async Task InitializeAsync() => _server = await TokenEndpointHost.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private static Func<HttpContext, Task> Answer(int status, string contentType, string body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    };

    [Fact]
    public async Task Public_client_posts_a_form_with_client_id_and_verifier_and_gets_a_token()
    {
        _server.Respond = Answer(200, "application/json", """{"access_token":"AT-1","token_type":"Bearer","expires_in":"3600","refresh_token":"RT","extra":true}""");
        var token = Expect.Right(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint), _http));
        Assert.Equal(("AT-1", Some(TimeSpan.FromHours(1))), (token.AccessToken, token.ExpiresIn));
        var received = Assert.Single(_server.Received);
        Assert.Equal(("POST", "/token", "application/x-www-form-urlencoded"), (received.Method, received.Path, received.ContentType?.Split(';')[0]));
        Assert.Null(received.Authorization);
        Assert.Equal("authorization_code", received.Form["grant_type"]);
        Assert.Equal("code-123", received.Form["code"]);
        Assert.Equal("client one", received.Form["client_id"]);
        Assert.Equal(43, received.Form["code_verifier"].Length);
        Assert.Equal("http://127.0.0.1:8000/callback", received.Form["redirect_uri"]);
    }

    [Fact]
    public async Task Basic_client_sends_form_encoded_credentials_in_the_header_only()
    {
        Expect.Right(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint, ClientAuthentication.ClientSecretBasic, "p@ss:wörd"), _http));
        var received = Assert.Single(_server.Received);
        var decoded = Encoding.ASCII.GetString(Convert.FromBase64String(received.Authorization!["Basic ".Length..]));
        Assert.Equal("client+one:p%40ss%3Aw%C3%B6rd", decoded);
        Assert.False(received.Form.ContainsKey("client_secret"));
        Assert.False(received.Form.ContainsKey("client_id"));
    }

    [Fact]
    public async Task Post_client_sends_the_secret_in_the_body()
    {
        Expect.Right(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint, ClientAuthentication.ClientSecretPost, "s3cret"), _http));
        var received = Assert.Single(_server.Received);
        Assert.Equal(("client one", "s3cret"), (received.Form["client_id"], received.Form["client_secret"]));
        Assert.Null(received.Authorization);
    }

    [Theory]
    [InlineData(400, "invalid_grant")]
    [InlineData(401, "invalid_client")]
    public async Task OAuth_error_statuses_map_to_token_endpoint_error(int status, string code)
    {
        _server.Respond = Answer(status, "application/json", $$"""{"error":"{{code}}","error_description":"nope"}""");
        var error = Assert.IsType<PkceError.EndpointError>(Expect.Left(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint), _http)));
        Assert.Equal((status, code, Some("nope")), (error.Status, error.Error, error.ErrorDescription));
    }

    [Fact]
    public async Task Html_500_maps_to_unexpected_response_with_an_excerpt()
    {
        _server.Respond = Answer(500, "text/html", "<html><body>Oops</body></html>");
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Expect.Left(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint), _http)));
        Assert.Equal((500, Some("<html><body>Oops</body></html>")), (error.Status, error.BodyExcerpt));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_one_mebibyte_is_refused_with_or_without_a_declared_length(bool declared)
    {
        _server.Respond = async context =>
        {
            context.Response.ContentType = "application/json";
            if (declared) context.Response.ContentLength = 2 << 20;
            var chunk = new byte[64 * 1024];
            System.Array.Fill(chunk, (byte)' ');
            for (var i = 0; i < 32; i++) await context.Response.Body.WriteAsync(chunk);
        };
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Expect.Left(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint), _http)));
        Assert.Equal("the body is larger than 1048576 bytes", error.Reason);
    }

    [Fact]
    public async Task Slow_response_hits_the_timeout_and_is_sent_once()
    {
        _server.Respond = async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
        var error = Expect.Left(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint, timeout: TimeSpan.FromMilliseconds(300)), _http));
        Assert.IsType<PkceError.Timeout>(error);
        Assert.Single(_server.Received);
    }

    [Fact]
    public async Task Cancellation_throws_and_is_not_an_error_value()
    {
        _server.Respond = async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint), _http, cancel.Token));
    }

    [Fact]
    public async Task Connection_refused_maps_to_transport_failure()
    {
        var closedPort = Ports.Free();
        var config = Flows.Config(new Uri($"http://127.0.0.1:{closedPort}/token"));
        Assert.IsType<PkceError.TransportFailure>(Expect.Left(await Flows.CompleteAsync(config, _http)));
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task Redirects_are_not_followed_so_the_code_is_sent_once(int status)
    {
        _server.Respond = context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = new Uri(_server.BaseAddress, "elsewhere").AbsoluteUri;
            return Task.CompletedTask;
        };
        var error = Assert.IsType<PkceError.RedirectRefused>(Expect.Left(await Flows.CompleteAsync(Flows.Config(_server.TokenEndpoint), _http)));
        Assert.Equal(Some(new Uri(_server.BaseAddress, "elsewhere").AbsoluteUri), error.Location);
        Assert.Equal("/token", Assert.Single(_server.Received).Path);
    }

    [Fact]
    public async Task A_forged_callback_never_reaches_the_token_endpoint()
    {
        var config = Flows.Config(_server.TokenEndpoint);
        var (store, _) = await Flows.StartedAsync(config);
        var forged = $"{config.Client.RedirectUri}?code=stolen&state={Secrets.Generate().State.Value}";
        var result = await Flow.Complete(config, Dependencies.System(_http), store.Take, Flows.Alice, forged, default).ToEither();
        Assert.IsType<PkceError.StateUnknown>(Expect.Left(result));
        Assert.Empty(_server.Received);
    }

    [Fact]
    public async Task A_replayed_callback_is_rejected_without_a_second_token_request()
    {
        var config = Flows.Config(_server.TokenEndpoint);
        var (store, callback) = await Flows.StartedAsync(config);
        Expect.Right(await Flow.Complete(config, Dependencies.System(_http), store.Take, Flows.Alice, callback, default).ToEither());
        var replay = await Flow.Complete(config, Dependencies.System(_http), store.Take, Flows.Alice, callback, default).ToEither();
        Assert.IsType<PkceError.StateReplayed>(Expect.Left(replay));
        Assert.Single(_server.Received);
    }
}
