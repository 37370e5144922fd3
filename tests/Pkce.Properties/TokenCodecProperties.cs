using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class TokenCodecProperties
{
    private static Gen<string> Text => Chars.WellFormedText.Where(t => t.Length is > 0 and <= 200);

    private static Gen<Option<T>> Maybe<T>(Gen<T> value) => Gen.Frequency((1, Gen.Constant(Option<T>.None)), (3, value.Select(Some)));

    private static Gen<Option<TokenSet>> Tokens =>
        from access in Text
        from type in Text
        from expires in Maybe(Gen.Choose(0, int.MaxValue).Select(s => DateTimeOffset.UnixEpoch.AddSeconds(s).ToOffset(TimeSpan.FromMinutes(s % 840 - 420))))
        from refresh in Maybe(Text)
        from scope in Maybe(Text)
        from tokens in Maybe(Gen.Constant(new TokenSet(access, type, expires, refresh, scope, DateTimeOffset.UnixEpoch.AddDays(19999))))
        select tokens;

    private static Gen<StoredTokens> Stored =>
        from version in Gen.Choose(1, int.MaxValue).Select(v => (long)v * 7)
        from tokens in Tokens
        from reason in Maybe(Text)
        select new StoredTokens(version, tokens, reason);

    private static readonly StoredTokens Sample = new(3, Some(new TokenSet("access-secret", "Bearer",
        Some(DateTimeOffset.UnixEpoch.AddDays(20000)), Some("refresh-secret"), Some("api"), DateTimeOffset.UnixEpoch.AddDays(19999))), None);

    [Property]
    public Property DecodingAnEncodedEntryGivesItBack() =>
        Prop.ForAll(Stored.ToArbitrary(), stored => TokenCodec.Decode(stored.Version, TokenCodec.Encode(stored)) == stored);

    [Property(MaxTest = 2000)]
    public Property DamagedEntriesAreStoreFailuresNeverExceptions() =>
        Prop.ForAll(Gen.Choose(0, 200).ToArbitrary(), Chars.StringOf(Chars.AnyChar, 0, 5).ToArbitrary(), (cut, insert) =>
        {
            var encoded = TokenCodec.Encode(Sample);
            var position = Math.Min(cut, encoded.Length);
            var damaged = encoded[..position] + insert + encoded[position..];
            return TokenCodec.Decode(Sample.Version, damaged).Match(s => s is not null, e => e is PkceError.StoreFailure);
        });

    [Property]
    public Property NoFailureQuotesTheStoredText() =>
        Prop.ForAll(Gen.Choose(0, 120).ToArbitrary(), cut =>
        {
            var encoded = TokenCodec.Encode(Sample);
            var damaged = encoded[..Math.Min(cut, encoded.Length)];
            return TokenCodec.Decode(Sample.Version, damaged).Match(_ => true,
                e => !e.ToString().Contains("access-secret", StringComparison.Ordinal) && !e.ToString().Contains("refresh-secret", StringComparison.Ordinal));
        });

    [Theory]
    [InlineData("{\"v\":1,\"access_token\":\"a\\ud800\",\"token_type\":\"Bearer\"}")] // escaped lone surrogate
    [InlineData("{\"v\":1,\"access_token\":\"\",\"token_type\":\"Bearer\"}")]
    [InlineData("{\"v\":1,\"access_token\":\"a\"}")]
    [InlineData("{\"v\":1,\"token_type\":\"Bearer\",\"refresh_token\":\"r\"}")]
    [InlineData("{\"v\":1,\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_at\":\"soon\"}")]
    [InlineData("{\"v\":1,\"access_token\":7,\"token_type\":\"Bearer\"}")]
    [InlineData("{\"v\":2}")]
    [InlineData("[]")]
    [InlineData("")]
    [InlineData("{\"v\":1,\"login_required\":null}")]
    public void Malformed_entries_are_store_failures(string stored) =>
        Assert.IsType<PkceError.StoreFailure>(Support.Left(TokenCodec.Decode(1, stored)));

    [Fact] // not an InlineData: the runner would pass the lone surrogate on as U+FFFD
    public void A_lone_surrogate_in_the_stored_text_is_a_store_failure() =>
        Assert.IsType<PkceError.StoreFailure>(Support.Left(TokenCodec.Decode(1, "{\"v\":1,\"access_token\":\"a\ud800\",\"token_type\":\"Bearer\"}")));

    [Fact]
    public void Invalid_UTF8_read_as_text_is_a_store_failure_or_a_value_never_an_exception()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(TokenCodec.Encode(Sample));
        bytes[20] = 0xFF; // inside the access token: a store that decodes bytes as UTF-8 sees U+FFFD
        var result = TokenCodec.Decode(Sample.Version, System.Text.Encoding.UTF8.GetString(bytes));
        Assert.True(result.Match(s => s.Tokens.IsSome, e => e is PkceError.StoreFailure));
    }

    [Fact]
    public void Version_zero_has_no_stored_form() =>
        Assert.IsType<PkceError.StoreFailure>(Support.Left(TokenCodec.Decode(0, TokenCodec.Encode(Sample))));

    [Fact]
    public void A_login_required_mark_round_trips_without_tokens()
    {
        var mark = new StoredTokens(9, None, Some("the server refused the refresh token (invalid_grant)"));
        Assert.Equal(mark, Support.Right(TokenCodec.Decode(9, TokenCodec.Encode(mark))));
    }
}
