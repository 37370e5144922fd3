using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// <see cref="ErrorRedaction"/> and <see cref="ServerText"/>: what a server echoes back of a sent secret is replaced
/// by the mark in every error that quotes the server, and server text is shown only in RFC 6749's printable set.
/// </summary>
public class ErrorRedactionProperties
{
    private const string Secret = "s3cret-value";

    public static TheoryData<PkceError> Quoting => new()
    {
        new PkceError.EndpointError("e", 400, "x" + Secret, Some(Secret), Some("u" + Secret)),
        new PkceError.UnexpectedResponse("e", 500, Some(Secret), Secret, Some(Secret)),
        new PkceError.TransportFailure("e", Secret),
        new PkceError.RedirectRefused("e", Some(Secret)),
        new PkceError.UnsupportedTokenType(Some(Secret)),
    };

    [Theory]
    [MemberData(nameof(Quoting))]
    public void ASecretQuotedByTheServerIsReplacedInEveryMember(PkceError error)
    {
        var cleaned = ErrorRedaction.Without(error, Seq1(Secret));
        Assert.Equal(error.GetType(), cleaned.GetType());
        Assert.Equal(error.Code, cleaned.Code);
        Assert.DoesNotContain(Secret, cleaned.ToString());
        Assert.DoesNotContain(Secret, System.Text.Json.JsonSerializer.Serialize<object>(cleaned));
        Assert.Contains(Redaction.Mark, cleaned.Message);
    }

    [Fact]
    public void OtherErrorsAreReturnedAsTheyAre()
    {
        PkceError error = new PkceError.LoginRequired(Secret);
        Assert.Same(error, ErrorRedaction.Without(error, Seq1(Secret)));
    }

    [Fact]
    public void SecretsShorterThanTheMinimumAreLeftAlone()
    {
        PkceError error = new PkceError.TransportFailure("e", "abcdefgh abcdefg");
        Assert.Same(error, ErrorRedaction.Without(error, Seq1("abcdefg")));
        Assert.Equal("[redacted] abcdefg", ((PkceError.TransportFailure)ErrorRedaction.Without(error, Seq1("abcdefgh"))).Reason);
        Assert.Equal(8, ErrorRedaction.MinimumLength);
    }

    [Fact]
    public void TheSentFormAndTheClientSecretAreRedacted()
    {
        var config = Support.Config(Support.ValidSettings with { ClientSecret = "client-secret-1", Authentication = ClientAuthentication.ClientSecretBasic });
        var post = new FormPost("token endpoint", new Uri("https://as.example/token"), Seq(new QueryParameter("code", "the-code-1"), new QueryParameter("scope", "scope-value")), None);
        var error = (PkceError.TransportFailure)ErrorRedaction.WithoutSent(new PkceError.TransportFailure("e", "the-code-1 client-secret-1 scope-value"), config, post);
        Assert.Equal("[redacted] [redacted] scope-value", error.Reason);
    }

    [Fact]
    public void PrintableTextPassesUnchanged()
    {
        const string text = "abc XYZ 0-9 !$%&'()*+,-./:;<=>?@[]^_`{|}~";
        Assert.Same(text, ServerText.Printable(text));
        Assert.Equal("", ServerText.Printable(null));
        Assert.Equal("", ServerText.Printable(""));
    }

    [Fact]
    public void QuoteBackslashAndControlsAreEscaped()
    {
        Assert.Equal("a\\u0022b\\u005Cc\\u000Ad\\u007Fe\\u00E9", ServerText.Printable("a\"b\\c\nd\u007fe\u00e9"));
        Assert.Equal("\\u001F", ServerText.Printable("\u001f"));
    }

    [Fact]
    public void LongTextIsCutAtTheMaximum()
    {
        Assert.Equal(new string('a', ServerText.MaxLength), ServerText.Printable(new string('a', ServerText.MaxLength)));
        Assert.Equal(new string('a', ServerText.MaxLength) + "...", ServerText.Printable(new string('a', ServerText.MaxLength + 1)));
    }

    [Property]
    public Property AllowedIsExactlyRfc6749sSet() =>
        Prop.ForAll(Gen.Choose(0, 0x2FF).Select(i => (char)i).ToArbitrary(), c =>
            ServerText.IsAllowed(c) == (c is '\x20' or '\x21' || (c >= '\x23' && c <= '\x5B') || (c >= '\x5D' && c <= '\x7E')));

    [Fact]
    public void TheBoundariesOfTheSet()
    {
        Assert.All(new[] { '\x20', '\x21', '\x23', '\x5B', '\x5D', '\x7E' }, c => Assert.True(ServerText.IsAllowed(c)));
        Assert.All(new[] { '\x1F', '\x22', '\x5C', '\x7F' }, c => Assert.False(ServerText.IsAllowed(c)));
    }
}
