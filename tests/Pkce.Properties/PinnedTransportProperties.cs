using System.Net;
using System.Net.Http;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// The pin under every request (<see cref="PinnedTransport"/>), met directly: a request without one, to another
/// address, or sent a second time never reaches the socket, and each refusal says which it was.
/// </summary>
public class PinnedTransportProperties
{
    private static readonly Uri Endpoint = new("https://as.example/token");

    private static (HttpMessageInvoker Invoker, FakeServer Server) Transport()
    {
        var server = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK));
        return (new HttpMessageInvoker(new PinnedTransport(server)), server);
    }

    private static HttpRequestMessage Pinned(Uri address, Uri? sendTo = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, sendTo ?? address);
        request.Options.Set(PinnedTransport.Key, new Pin(address));
        return request;
    }

    private static Task<RedirectRefusal> Refused(HttpMessageInvoker invoker, HttpRequestMessage request) =>
        Assert.ThrowsAsync<RedirectRefusal>(() => invoker.SendAsync(request, CancellationToken.None));

    [Fact]
    public async Task ARequestWithoutAPinIsRefused()
    {
        var (invoker, server) = Transport();
        var refusal = await Refused(invoker, new HttpRequestMessage(HttpMethod.Get, Endpoint));
        Assert.Equal("the request was not sent: a request the library did not make", refusal.Message);
        Assert.Equal(Endpoint, refusal.Target);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ARequestToAnotherAddressThanItsPinIsRefused()
    {
        var (invoker, server) = Transport();
        var elsewhere = new Uri("https://elsewhere.example/token");
        var refusal = await Refused(invoker, Pinned(Endpoint, elsewhere));
        Assert.Equal("the request was not sent: its address is not the endpoint's", refusal.Message);
        Assert.Equal(elsewhere, refusal.Target);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task APinIsSentOnceAndSaysSo()
    {
        var (invoker, server) = Transport();
        var request = Pinned(Endpoint);
        using (await invoker.SendAsync(request, CancellationToken.None)) { }
        Assert.True(request.Options.TryGetValue(PinnedTransport.Key, out var pin) && pin.Sent);
        var again = new HttpRequestMessage(HttpMethod.Get, Endpoint);
        again.Options.Set(PinnedTransport.Key, pin);
        Assert.Equal("the request was not sent: it was already sent once", (await Refused(invoker, again)).Message);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task ThePinTravelsAsTheRequestOptionPkcePin()
    {
        var (invoker, _) = Transport();
        var request = Pinned(Endpoint);
        Assert.Equal(["Pkce.Pin"], request.Options.Select(o => o.Key));
        using (await invoker.SendAsync(request, CancellationToken.None)) { }
    }
}
