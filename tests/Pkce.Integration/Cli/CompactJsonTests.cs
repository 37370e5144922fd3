using Pkce.Cli;

namespace Pkce.Integration.Cli;

/// <summary>The narrow reader of QuickToken agrees with what the command writes, and refuses anything else.</summary>
public sealed class CompactJsonTests
{
    [Fact]
    public void Quick_token_margin_is_the_token_sources_default() => Assert.Equal(TokenSourceOptions.Default.Margin, QuickToken.Margin);

    [Theory]
    [InlineData("2026-11-26T04:05:06.1234567+00:00")]
    [InlineData("2099-12-31T23:59:59.9999999+00:00")]
    [InlineData("2028-02-29T00:00:00.0000000+00:00")]
    public void The_reader_takes_what_TokenFile_writes(string expiry)
    {
        var at = DateTimeOffset.Parse(expiry, System.Globalization.CultureInfo.InvariantCulture);
        var tokens = new TokenSet("a.b-c_d~e+f/g=", "Bearer", Some(at), Some("refresh"), Some("api offline_access"), at.AddHours(-1));
        var json = TokenFile.Write(new StoredTokens(7, Some(tokens), None));
        Assert.Equal(new CompactJson.Member(true, "a.b-c_d~e+f/g="), CompactJson.Value(json, "\"access_token\":"u8));
        Assert.Equal(new CompactJson.Member(false, null), CompactJson.Value(json, "\"login_required\":"u8));
        var written = CompactJson.Value(json, "\"expires_at\":"u8)!.Value.Text!;
        Assert.Equal(at, CompactJson.RoundTripUtc(written));
    }

    [Theory]
    [InlineData("""{"access_token":"a\"b"}""")]
    [InlineData("""{"access_token":"a\u0001b"}""")]
    [InlineData("""{"access_token":"a","access_token":"b"}""")]
    [InlineData("""{"x":"y""access_token":"a"}""")]
    [InlineData("""{"access_token": "a"}""")]
    [InlineData("""{"access_token":1}""")]
    [InlineData("""{"access_token":"unterminated""")]
    public void Anything_else_is_not_understood(string json) =>
        Assert.Null(CompactJson.Value(System.Text.Encoding.UTF8.GetBytes(json), "\"access_token\":"u8));

    [Theory]
    [InlineData("2026-11-26T04:05:06.1234567+00:00")]
    [InlineData("2026-11-26T04:05:06Z")]
    [InlineData("2026-02-30T04:05:06.0000000Z")]
    [InlineData("2026-11-26T24:05:06.0000000Z")]
    [InlineData("2026-11-26T04:05:06.000000xZ")]
    public void Other_time_forms_are_not_understood(string text) => Assert.Null(CompactJson.RoundTripUtc(text));

    [Theory]
    [MemberData(nameof(ProfileTests.MalformedExpiries), MemberType = typeof(ProfileTests))]
    public void A_malformed_time_is_not_understood_and_never_throws(string text) => Assert.Null(CompactJson.RoundTripUtc(text));
}
