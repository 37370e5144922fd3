using System.Net;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// The port's body limit holds for a body that declares no length (chunked, or a stream of unknown size): read up to
/// <see cref="HttpPort.MaxBodyBytes"/> and refused one byte beyond, as an answer too large, not a transport failure.
/// </summary>
public class BodyLimitWithoutDeclaredLengthProperties
{
    /// <summary>A stream of unknown length, so the content cannot declare one.</summary>
    private sealed class Unsized(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    private static Either<PkceError, HttpAnswer> Answer(int length)
    {
        var server = new FakeServer(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new Unsized(new byte[length])) });
        using var port = server.Port();
        return port.Get("metadata endpoint", new Uri("https://as.example/m"), TimeSpan.FromSeconds(30), CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public void AnUnsizedBodyOfTheLimitIsRead() =>
        Assert.Equal(HttpPort.MaxBodyBytes, Support.Right(Answer(HttpPort.MaxBodyBytes)).Body.Length);

    [Fact]
    public void AnUnsizedBodyOneByteOverTheLimitIsRefusedAsTooLarge()
    {
        var error = Assert.IsType<PkceError.UnexpectedResponse>(Support.Left(Answer(HttpPort.MaxBodyBytes + 1)));
        Assert.Equal(new PkceError.UnexpectedResponse("metadata endpoint", 200, None, $"the body is larger than {HttpPort.MaxBodyBytes} bytes", None), error);
    }
}
