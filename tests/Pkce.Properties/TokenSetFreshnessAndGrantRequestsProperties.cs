using System.Text;
using Pkce.Http;

namespace Pkce.Properties;

/// <summary>
/// Known answers at the edges of <see cref="TokenSet"/>'s freshness rule and of its renewal, of the refresh and
/// revocation requests' refusals, of the rotated refresh token read from an answer, and of a key's id for a
/// character whose high byte is not zero.
/// </summary>
public class TokenSetFreshnessAndGrantRequestsProperties
{
    private static readonly DateTimeOffset Received = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static TokenSet Lasting(TimeSpan lifetime) => new("at", "Bearer", Some(Received + lifetime), Some("rt"), Some("old-scope"), Received);

    private static TokenResponse Response(Option<string> refresh, Option<string> scope) =>
        new("at-new", "Bearer", None, refresh, scope, None, HashMap<string, System.Text.Json.JsonElement>(), "{}");

    [Fact]
    public void ATokenExactlyAtTheMarginIsNoLongerFresh()
    {
        var tokens = Lasting(TimeSpan.FromHours(1));
        Assert.False(tokens.IsFreshAt(Received + TimeSpan.FromHours(1) - TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)));
        Assert.True(tokens.IsFreshAt(Received + TimeSpan.FromHours(1) - TimeSpan.FromMinutes(1) - TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void TheMarginIsAtMostHalfTheLifetime()
    {
        // A 60 s token with a minute of margin: renewed in its last 30 s, not from its start.
        var tokens = Lasting(TimeSpan.FromSeconds(60));
        Assert.True(tokens.IsFreshAt(Received + TimeSpan.FromSeconds(20), TimeSpan.FromMinutes(1)));
        Assert.False(tokens.IsFreshAt(Received + TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ATokenWithoutLifetimeIsFreshForItsFirstSecondOnly()
    {
        var tokens = Lasting(TimeSpan.Zero);
        Assert.True(tokens.IsFreshAt(Received, TimeSpan.FromMinutes(1)));
        Assert.True(tokens.IsFreshAt(Received + TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1), TimeSpan.FromMinutes(1)));
        Assert.False(tokens.IsFreshAt(Received + TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void AnEmptyRefreshTokenIsNoRefreshToken()
    {
        Assert.True(TokenSet.From(Response(Some(""), None), Received).RefreshToken.IsNone);
        Assert.Equal(Some("r"), TokenSet.From(Response(Some("r"), None), Received).RefreshToken);
    }

    [Fact]
    public void ARenewalKeepsTheOldScopeUnlessTheServerNamesOne()
    {
        var tokens = Lasting(TimeSpan.FromHours(1));
        Assert.Equal(Some("old-scope"), tokens.Renewed(Response(None, None), Received).Scope);
        Assert.Equal(Some("new-scope"), tokens.Renewed(Response(None, Some("new-scope")), Received).Scope);
    }

    [Fact]
    public void ARefreshRequestNeedsARefreshToken() =>
        Assert.Equal(new PkceError.InvalidValue("refresh token", "missing"), Support.Left(RefreshRequest.Build(Support.Config(), "", None)));

    [Fact]
    public void ARotatedRefreshTokenIsReadOnlyFromA2xxAnswer()
    {
        HttpAnswer Answer(int status, string json) => new("token endpoint", status, Some("application/json"), Encoding.UTF8.GetBytes(json));
        Assert.Equal(Some("rt-1"), RefreshRequest.RotatedRefreshToken(Answer(200, "{\"refresh_token\":\"rt-1\",\"token_type\":\"mac\"}")));
        Assert.Equal(Some("rt-1"), RefreshRequest.RotatedRefreshToken(Answer(299, "{\"refresh_token\":\"rt-1\"}")));
        Assert.True(RefreshRequest.RotatedRefreshToken(Answer(199, "{\"refresh_token\":\"rt-1\"}")).IsNone);
        Assert.True(RefreshRequest.RotatedRefreshToken(Answer(300, "{\"refresh_token\":\"rt-1\"}")).IsNone);
        Assert.True(RefreshRequest.RotatedRefreshToken(Answer(400, "{\"error\":\"invalid_grant\",\"refresh_token\":\"rt-1\"}")).IsNone);
        Assert.True(RefreshRequest.RotatedRefreshToken(Answer(200, "{\"refresh_token\":\"\"}")).IsNone);
        Assert.True(RefreshRequest.RotatedRefreshToken(Answer(200, "{\"access_token\":\"at\"}")).IsNone);
    }

    [Fact]
    public void ARevocationNeedsAnEndpointAndAToken()
    {
        Assert.Equal(new PkceError.InvalidValue("configuration", "no revocation endpoint is set"), Support.Left(Revocation.Build(Support.Config(), "t", true)));
        var withEndpoint = Support.Config(Support.ValidSettings with { RevocationEndpoint = "https://as.example/revoke" });
        Assert.Equal(new PkceError.InvalidValue("token", "missing"), Support.Left(Revocation.Build(withEndpoint, "", true)));
    }

    [Fact]
    public void AKeyIdHashesEachCodeUnitLowByteFirst() =>
        // SHA-256 of "1:š|0:|0:" in UTF-16LE: the high byte of U+0161 counts.
        Assert.Equal("861f8e071e0e489e14a8c1cf9f572be8e2492e11927e14c7751d396f3fc71cb8", new TokenKey(Support.User("\u0161"), "", "").Id);
}
