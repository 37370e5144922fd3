namespace Pkce.Properties;

/// <summary>
/// Where <see cref="Callback.Parse(string)"/> finds a callback's parameters (the query up to a fragment, else the
/// fragment, else a bare query, else nothing), what <see cref="Callback.FromParts"/> and
/// <see cref="Callback.CarriesState"/> answer, and the words of each malformed callback.
/// </summary>
public class CallbackReadingProperties
{
    private static string StateOf(string callback) => Support.Right(Callback.Parse(callback)).State.Value;

    [Fact]
    public void TheQueryEndsWhereTheFragmentBegins()
    {
        Assert.Equal("s1", StateOf("https://app/cb?code=a&state=s1#state=s2"));
        Assert.Equal("s1", StateOf("?code=a&state=s1#x"));
        // A '#' before the '?' is not the query's end.
        Assert.Equal("s1", StateOf("https://app/cb#frag?code=a&state=s1"));
    }

    [Fact]
    public void AFragmentIsReadWhenThereIsNoQuery()
    {
        Assert.Equal("s1", StateOf("#code=a&state=s1"));
        Assert.Equal("s1", StateOf("https://app/cb#code=a&state=s1"));
    }

    [Fact]
    public void ABareQueryIsReadAndABareWordIsNoQuery()
    {
        Assert.Equal("s1", StateOf("code=a&state=s1"));
        Assert.IsType<PkceError.StateMissing>(Support.Left(Callback.Parse("state")));
        Assert.IsType<PkceError.StateMissing>(Support.Left(Callback.Parse("")));
    }

    [Fact]
    public void NullCallbacksAreProgrammerErrors()
    {
        Assert.Throws<ArgumentNullException>(() => Callback.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => Callback.CarriesState(null!, Secrets.Generate().State));
    }

    [Theory]
    [InlineData("?state=%01&code=a", "malformed callback: state: invalid state: contains a character outside VSCHAR (%x20-7E)")]
    [InlineData("?state=s&code=%01", "malformed callback: code: invalid authorization code: contains a character outside VSCHAR (%x20-7E)")]
    [InlineData("?state=s", "malformed callback: the callback has neither code nor error")]
    [InlineData("?state=s&code=a&code=b", "malformed callback: parameter 'code' appears more than once")]
    public void EachMalformedCallbackIsReportedInItsOwnWords(string callback, string message)
    {
        var error = Assert.IsType<PkceError.MalformedCallback>(Support.Left(Callback.Parse(callback)));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void FromPartsReadsLikeParse()
    {
        var granted = Assert.IsType<AuthorizationResponse.Granted>(Support.Right(Callback.FromParts(Some("s1"), Some("c1"), Some("https://as.example"))));
        Assert.Equal(("s1", "c1", Some("https://as.example")), (granted.State.Value, granted.Code.Value, granted.Issuer));
        Assert.True(Assert.IsType<AuthorizationResponse.Granted>(Support.Right(Callback.FromParts(Some("s1"), Some("c1"), None))).Issuer.IsNone);
        Assert.IsType<PkceError.StateMissing>(Support.Left(Callback.FromParts(None, Some("c1"), None)));
        Assert.Equal("malformed callback: the callback has neither code nor error",
            Assert.IsType<PkceError.MalformedCallback>(Support.Left(Callback.FromParts(Some("s1"), None, None))).Message);
    }

    [Fact]
    public void CarriesStateIsTrueOnlyForExactlyOneEqualState()
    {
        var state = Support.Right(State.From("the-state"));
        Assert.True(Callback.CarriesState("http://127.0.0.1/cb?code=a&state=the-state", state));
        Assert.True(Callback.CarriesState("state=the-state", state));
        Assert.False(Callback.CarriesState("http://127.0.0.1/cb?code=a&state=the-statf", state));
        Assert.False(Callback.CarriesState("http://127.0.0.1/cb?code=a", state));
        Assert.False(Callback.CarriesState("http://127.0.0.1/cb?state=%01", state));
        Assert.False(Callback.CarriesState("http://127.0.0.1/cb?state=the-state&state=the-state", state));
    }
}
