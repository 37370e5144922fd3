using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// A body excerpt that ends (before the "..." of a cut, or at its end) in the start of a sent secret, at least
/// <see cref="ErrorRedaction.MinimumLength"/> characters of it, loses that start wherever it first occurs whole;
/// an excerpt that goes on past a secret's start is left as it is. The credentials of an <c>Authorization</c>
/// header are what follows its scheme.
/// </summary>
public class CutSecretRedactionProperties
{
    private const string Secret = "abcdefghijklmnop";

    private static string Excerpt(string body) =>
        ((PkceError.UnexpectedResponse)ErrorRedaction.Without(
            new PkceError.UnexpectedResponse("e", 500, None, "reason", Some(body)), Seq1(Secret))).BodyExcerpt.IfNone("(none)");

    [Theory]
    [InlineData("body abcdefghij...", "body [redacted]...")]
    [InlineData("abcdefghij...", "[redacted]...")]
    [InlineData("abcdefgh...", "[redacted]...")]
    [InlineData("abcdefghXX abcdefghij...", "abcdefghXX [redacted]...")]
    [InlineData("abcdefghX abcdefghijklmnopq...", "abcdefghX [redacted]q...")]
    [InlineData("body abcdefg...", "body abcdefg...")]
    [InlineData("body abcdefghijXYZ", "body abcdefghijXYZ")]
    [InlineData("body abcdefghij", "body [redacted]...")]
    [InlineData("body abcdefghijX...", "body abcdefghijX...")]
    public void ATrailingSecretStartIsRemovedAndOtherTextKept(string body, string expected) =>
        Assert.Equal(expected, Excerpt(body));

    [Property]
    public Property ACutSecretOfAnyLengthIsRemovedAfterAnyPrefix() =>
        Prop.ForAll(Gen.Choose(ErrorRedaction.MinimumLength, Secret.Length - 1).ToArbitrary(), Arbitraries.Chars.StringOf(Gen.Elements("abcdefgh XY".ToCharArray()), 0, 30).ToArbitrary(), (shown, prefix) =>
        {
            var result = Excerpt(prefix + Secret[..shown] + "...");
            return result.EndsWith(Redaction.Mark + "...", StringComparison.Ordinal) && !result.Contains(Secret[..ErrorRedaction.MinimumLength] + "...");
        });

    [Fact]
    public void TheCredentialsOfTheAuthorizationHeaderAreRedacted()
    {
        var config = Support.Config(Support.ValidSettings with { ClientSecret = "client-secret-1", Authentication = ClientAuthentication.ClientSecretBasic });
        var post = new FormPost("token endpoint", new Uri("https://as.example/token"), Seq<QueryParameter>(), Some("Basic Y2xpZW50LTE6Y2xpZW50"));
        var error = (PkceError.TransportFailure)ErrorRedaction.WithoutSent(new PkceError.TransportFailure("e", "sent Y2xpZW50LTE6Y2xpZW50 back"), config, post);
        Assert.Equal("sent [redacted] back", error.Reason);
    }
}
