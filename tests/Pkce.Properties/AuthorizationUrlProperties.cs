using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class AuthorizationUrlProperties
{
    private static readonly PkceConfig Config = Support.Config();
    private static readonly PkceConfig ConfigWithQuery =
        Support.Config(Support.ValidSettings with { AuthorizationEndpoint = "https://as.example/authorize?tenant=a%20b" });

    private static PendingAuthorization Pending(PkceConfig config) => Support.Pending(config, Support.User("u"), DateTimeOffset.UnixEpoch);

    [Property]
    public Property BuiltUrlParsesBackToExactlyTheInputs() =>
        Prop.ForAll(Extras.Distinct.ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (extras, withQuery) =>
        {
            var config = withQuery ? ConfigWithQuery : Config;
            var pending = Pending(config);
            var url = Support.Right(AuthorizationUrl.Build(config, pending, toSeq(extras)));
            var expected = new List<QueryParameter>();
            if (withQuery) expected.Add(new("tenant", "a b"));
            expected.AddRange([
                new(WireNames.ResponseType, "code"), new(WireNames.ClientId, config.Client.ClientId),
                new(WireNames.RedirectUri, pending.RedirectUri.OriginalString), new(WireNames.Scope, "read_api openid"),
                new(WireNames.State, pending.State.Value), new(WireNames.CodeChallenge, pending.Challenge.Value),
                new(WireNames.CodeChallengeMethod, "S256")]);
            expected.AddRange(extras);
            var uri = new Uri(url);
            return uri.GetLeftPart(UriPartial.Path) == "https://as.example/authorize"
                && QueryString.Parse(uri.Query).SequenceEqual(expected);
        });

    [Property]
    public Property ExtrasCannotUseAReservedNameInAnyLetterCase() =>
        Prop.ForAll(Extras.ReservedInAnyCase.ToArbitrary(), Chars.WellFormedText.ToArbitrary(), (name, value) =>
            Support.Left(AuthorizationUrl.Build(Config, Pending(Config), Seq1(new QueryParameter(name, value)))) is PkceError.InvalidValue);

    [Theory]
    [InlineData("STATE")]
    [InlineData("Code_Challenge_Method")]
    [InlineData("request")]
    [InlineData("request_uri")]
    [InlineData("Response_Mode")]
    [InlineData("TENANT")]
    [InlineData(" state")]
    [InlineData("state ")]
    [InlineData("state\0")]
    [InlineData("request_uri\t")]
    [InlineData("response.mode")]
    [InlineData("code.challenge")]
    [InlineData("\u017Ftate")]
    [InlineData("cl\u0131ent_id")]
    [InlineData("dpop_j\u212At")]
    public void ReviewedNamesAreRefused(string name) =>
        Assert.IsType<PkceError.InvalidValue>(Support.Left(AuthorizationUrl.Build(ConfigWithQuery, Pending(ConfigWithQuery), Seq1(new QueryParameter(name, "x")))));

    [Property]
    public Property ExtrasCannotRepeatOneAnotherNorTheEndpointQuery() =>
        Prop.ForAll(Extras.Distinct.Where(e => e.Length > 0).ToArbitrary(), extras =>
        {
            var repeated = toSeq(extras).Add(extras[0] with { Value = "again" });
            var clash = Seq1(new QueryParameter("tenant", "x"));
            return AuthorizationUrl.Build(Config, Pending(Config), repeated).IsLeft
                && AuthorizationUrl.Build(ConfigWithQuery, Pending(ConfigWithQuery), clash).IsLeft;
        });

    [Fact]
    public void LoneSurrogateInAnExtraIsRefused() =>
        Assert.IsType<PkceError.InvalidValue>(Support.Left(AuthorizationUrl.Build(Config, Pending(Config), Seq1(new QueryParameter("x", "a\uD800b")))));

    [Fact]
    public void UrlCarriesS256AndNeverTheVerifier()
    {
        var pending = Pending(Config);
        var url = Support.Right(AuthorizationUrl.Build(Config, pending));
        Assert.Contains("code_challenge_method=S256", url);
        Assert.DoesNotContain(pending.Verifier.Value, url);
    }
}
