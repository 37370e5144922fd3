using System.Net;

namespace Pkce.Http;

/// <summary>
/// A form body that is written only to the address it was made for. An <see cref="HttpClient"/> the caller gave
/// us may follow redirects on its own (<c>new HttpClient()</c> does: its handler's <c>AllowAutoRedirect</c> is true,
/// and no request option can turn that off); on a 307 or 308 it re-sends the same request, body and all, to the
/// <c>Location</c> host. The handler changes the request's URI before it writes the body again, so checking the
/// URI at the moment of writing stops the code, the verifier and a <c>client_secret_post</c> secret from leaving
/// for any other address. A transport-level retry to the same address (a pooled connection closed under us) is
/// still allowed.
/// </summary>
internal sealed class PinnedContent : HttpContent
{
    private readonly FormUrlEncodedContent _form;
    private HttpRequestMessage? _request;
    private Uri? _address;

    public PinnedContent(IEnumerable<KeyValuePair<string, string>> form)
    {
        _form = new FormUrlEncodedContent(form);
        Headers.ContentType = _form.Headers.ContentType;
    }

    /// <summary>Binds the body to the request that carries it and to that request's address, as it is now.</summary>
    public void Pin(HttpRequestMessage request) => (_request, _address) = (request, request.RequestUri);

    /// <summary>Whether <paramref name="address"/> is the address the body was pinned to (an answer from elsewhere is refused).</summary>
    public bool IsPinnedTo(Uri? address) => _address is not null && address is not null && SameAddress(_address, address);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var target = _request?.RequestUri;
        if (!IsPinnedTo(target)) throw new RedirectRefusal(target);
        return _form.CopyToAsync(stream, context, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _form.Headers.ContentLength ?? -1;
        return length >= 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _form.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Same scheme, host, port, path and query (what a redirect changes), compared ordinally.</summary>
    public static bool SameAddress(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.HttpRequestUrl | UriComponents.UserInfo, UriFormat.UriEscaped, StringComparison.Ordinal) == 0;
}

/// <summary>Thrown inside the HTTP stack when a pinned body would be written to another address; becomes <see cref="PkceError.RedirectRefused"/>.</summary>
internal sealed class RedirectRefusal(Uri? target) : IOException("the request body was not sent: its address changed (a redirect)")
{
    public Uri? Target { get; } = target;
}
