using System.Text;
using LanguageExt;

namespace Pkce.Http;

/// <summary>What came back from an endpoint, before parsing. The body may hold tokens: it never prints.</summary>
/// <param name="Endpoint">What the endpoint is, for messages (<c>token endpoint</c>).</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="ContentType">The media type of the body, if declared.</param>
/// <param name="Body">The body octets.</param>
public sealed record HttpAnswer(string Endpoint, int Status, Option<string> ContentType, byte[] Body)
{
    /// <summary>The <c>DPoP-Nonce</c> header (RFC 9449 §8), if the server sent one.</summary>
    public Option<string> DpopNonce { get; init; }

    /// <summary>The values of the <c>WWW-Authenticate</c> headers, for <see cref="WwwAuthenticate.Parse(IEnumerable{string})"/>.</summary>
    public Seq<string> Challenges { get; init; }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Endpoint = {Endpoint}, Status = {Status}, ContentType = {ContentType}, Body = {Body.Length} bytes, DpopNonce = {DpopNonce.Map(ServerText.Printable)}");
        return true;
    }
}
