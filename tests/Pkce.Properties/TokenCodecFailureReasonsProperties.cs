namespace Pkce.Properties;

/// <summary>
/// <see cref="TokenCodec.Decode"/> names what is wrong with a stored entry in its own words (known answers), and reads
/// back every entry it wrote from the first version on.
/// </summary>
public class TokenCodecFailureReasonsProperties
{
    private static readonly StoredTokens Sample = new(1, Some(new TokenSet("access-secret", "Bearer",
        Some(DateTimeOffset.UnixEpoch.AddDays(20000)), Some("refresh-secret"), Some("api"), DateTimeOffset.UnixEpoch.AddDays(19999))), None);

    [Theory]
    [InlineData("{\"v\":1,\"access_token\":\"a\\ud800\",\"token_type\":\"Bearer\"}", "'access_token' is not valid Unicode")]
    [InlineData("{\"v\":1,\"access_token\":\"\",\"token_type\":\"Bearer\"}", "empty access token")]
    [InlineData("{\"v\":1,\"access_token\":\"a\",\"token_type\":\"\"}", "empty token type")]
    [InlineData("{\"v\":1,\"access_token\":\"a\"}", "token type missing")]
    [InlineData("{\"v\":1,\"token_type\":\"Bearer\"}", "access token missing")]
    [InlineData("{\"v\":1,\"expires_at\":\"2026-11-25T12:00:00+00:00\"}", "access token missing")]
    [InlineData("{\"v\":1,\"refresh_token\":\"r\"}", "access token missing")]
    [InlineData("{\"v\":1,\"scope\":\"api\"}", "access token missing")]
    [InlineData("{\"v\":1,\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_at\":\"soon\"}", "'expires_at' is not a date and time")]
    [InlineData("{\"v\":1,\"access_token\":7,\"token_type\":\"Bearer\"}", "'access_token' is not a string")]
    [InlineData("{\"v\":2}", "unknown format")]
    [InlineData("[]", "unknown format")]
    [InlineData("", "not readable")]
    public void EachDamageIsNamedInItsOwnWords(string stored, string reason) =>
        Assert.Equal("stored tokens are corrupt: " + reason, Assert.IsType<PkceError.StoreFailure>(Support.Left(TokenCodec.Decode(1, stored))).Reason);

    [Fact]
    public void VersionZeroAndMissingTextAreNamed()
    {
        Assert.Equal("stored tokens are corrupt: version 0", Assert.IsType<PkceError.StoreFailure>(Support.Left(TokenCodec.Decode(0, TokenCodec.Encode(Sample)))).Reason);
        Assert.Equal("stored tokens are corrupt: no text", Assert.IsType<PkceError.StoreFailure>(Support.Left(TokenCodec.Decode(1, null))).Reason);
    }

    [Fact]
    public void TheFirstVersionReadsBack() => Assert.Equal(Sample, Support.Right(TokenCodec.Decode(1, TokenCodec.Encode(Sample))));

    [Fact]
    public void EncodingNothingIsAnArgumentError() => Assert.Throws<ArgumentNullException>(() => TokenCodec.Encode(null!));
}
