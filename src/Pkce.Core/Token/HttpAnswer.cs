using System.Text;
using LanguageExt;

namespace Pkce;

/// <summary>What came back from the token endpoint, before parsing. The body may hold tokens: it never prints.</summary>
/// <param name="Status">The HTTP status code.</param>
/// <param name="ContentType">The media type of the body, if declared.</param>
/// <param name="Body">The body octets.</param>
public sealed record HttpAnswer(int Status, Option<string> ContentType, byte[] Body)
{
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"Status = {Status}, ContentType = {ContentType}, Body = {Body.Length} bytes");
        return true;
    }
}
