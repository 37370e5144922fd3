using System.Net;

namespace Pkce.Http;

/// <summary>
/// The last step before the socket, owned by the library: every request the port sends carries a pin (its address
/// and a sent flag), and this handler lets a request through only if it carries a pin, is addressed to the pinned
/// address, and is the first send of that pin. Below it, the socket handler never follows redirects. So no handler
/// above it can re-post a request body elsewhere (a handler that follows a 307 by copying the content into a new
/// request, or buffers it and re-sends), send it twice (a retrying handler, a 307 to itself), or slip in a
/// request of its own: such a request fails before a byte is written. An answer can only come from the pinned
/// address, because nothing below follows a redirect.
/// </summary>
internal sealed class PinnedTransport(HttpMessageHandler socket) : DelegatingHandler(socket)
{
    public static readonly HttpRequestOptionsKey<Pin> Key = new("Pkce.Pin");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(Key, out var pin))
            throw new RedirectRefusal(request.RequestUri, "a request the library did not make");
        if (request.RequestUri is null || !SameAddress(pin.Address, request.RequestUri))
            throw new RedirectRefusal(request.RequestUri, "its address is not the endpoint's");
        if (!pin.TrySend())
            throw new RedirectRefusal(request.RequestUri, "it was already sent once");
        return base.SendAsync(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Same scheme, host, port, path and query (what a redirect changes), compared ordinally.</summary>
    public static bool SameAddress(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.HttpRequestUrl | UriComponents.UserInfo, UriFormat.UriEscaped, StringComparison.Ordinal) == 0;

    /// <summary>The socket handler under the pin: redirects never followed, connections recycled for DNS changes.</summary>
    public static SocketsHttpHandler Socket() => new()
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    };
}

/// <summary>One request's address and whether it has been sent.</summary>
internal sealed class Pin(Uri address)
{
    private int _sent;

    public Uri Address { get; } = address;

    public bool TrySend() => Interlocked.Exchange(ref _sent, 1) == 0;

    /// <summary>Whether the request passed the pinned transport (an answer without it came from elsewhere).</summary>
    public bool Sent => Volatile.Read(ref _sent) == 1;
}

/// <summary>Thrown by the transport when a request may not go out; becomes <see cref="PkceError.RedirectRefused"/>.</summary>
internal sealed class RedirectRefusal(Uri? target, string why) : IOException($"the request was not sent: {why}")
{
    public Uri? Target { get; } = target;
}
