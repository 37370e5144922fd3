using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class CallbackProperties
{
    private static readonly PkceConfig Config = Support.Config();
    private static readonly UserKey Alice = Support.User("alice");
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static string CallbackFor(PendingAuthorization pending, string code = "the-code", string? iss = "https://as.example") =>
        $"http://127.0.0.1:8000/callback?code={code}&state={Uri.EscapeDataString(pending.State.Value)}" + (iss is null ? "" : "&iss=" + Uri.EscapeDataString(iss));

    private static Either<PkceError, VerifiedCallback> Verify(string callback, PendingAuthorization pending, UserKey user, DateTimeOffset now) =>
        Callback.Parse(callback).Bind(response => Callback.Verify(response, pending, user, now));

    [Property(MaxTest = 2000)]
    public Property ArbitraryCallbacksNeverThrowAndGiveATypedResult() =>
        Prop.ForAll(Chars.StringOf(Chars.QueryChar, 0, 120).ToArbitrary(), text =>
            Callback.Parse(text).Match(r => r is AuthorizationResponse.Granted or AuthorizationResponse.Refused, e => e is not null));

    [Property]
    public Property GenuineCallbackVerifies() =>
        Prop.ForAll(Chars.StringOf(Chars.VsChar.Where(c => c is not ('&' or '#' or '+' or '%')), 1, 60).ToArbitrary(), code =>
        {
            var pending = Support.Pending(Config, Alice, Now);
            var verified = Support.Right(Verify(CallbackFor(pending, Uri.EscapeDataString(code)), pending, Alice, Now));
            return verified.Code.Value == code && verified.Pending == pending;
        });

    [Property]
    public Property TamperedStateIsRejected() =>
        Prop.ForAll(Gen.Choose(0, 42).ToArbitrary(), Gen.Elements(Chars.Unreserved.ToCharArray()).ToArbitrary(), (index, replacement) =>
        {
            var pending = Support.Pending(Config, Alice, Now);
            var state = pending.State.Value;
            var tampered = state[..index] + replacement + state[(index + 1)..];
            var callback = $"?code=c&state={tampered}&iss=https%3A%2F%2Fas.example";
            var result = Verify(callback, pending, Alice, Now);
            return tampered == state ? result.IsRight : Support.Left(result) is PkceError.StateMismatch;
        });

    [Fact]
    public void MissingStateIsRejected() =>
        Assert.IsType<PkceError.StateMissing>(Support.Left(Callback.Parse("?code=abc&iss=x")));

    [Property]
    public Property ExpiredStateIsRejected() =>
        Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), secondsLate =>
        {
            var pending = Support.Pending(Config, Alice, Now);
            var late = pending.ExpiresAt + TimeSpan.FromSeconds(secondsLate);
            return Support.Left(Verify(CallbackFor(pending), pending, Alice, late)) is PkceError.StateExpired
                && Verify(CallbackFor(pending), pending, Alice, pending.ExpiresAt - TimeSpan.FromSeconds(1)).IsRight;
        });

    [Property]
    public Property AnotherUsersStateIsRejected() =>
        Prop.ForAll(Chars.StringOf(Chars.AnyChar, 1, 20).ToArbitrary(), name =>
        {
            var pending = Support.Pending(Config, Alice, Now);
            var result = Verify(CallbackFor(pending), pending, Support.User(name), Now);
            return name == "alice" ? result.IsRight : Support.Left(result) is PkceError.WrongUser;
        });

    [Property]
    public Property IssuerMismatchIsAlwaysRejected() =>
        Prop.ForAll(Chars.WellFormedText.ToArbitrary(), iss =>
        {
            var pending = Support.Pending(Config, Alice, Now);
            var result = Verify(CallbackFor(pending, iss: iss), pending, Alice, Now);
            return iss == "https://as.example" ? result.IsRight : Support.Left(result) is PkceError.IssuerMismatch;
        });

    [Fact]
    public void MissingIssuerIsRejectedOnlyWhenTheServerAlwaysSendsIt()
    {
        var lenient = Support.Pending(Config, Alice, Now);
        Assert.True(Verify(CallbackFor(lenient, iss: null), lenient, Alice, Now).IsRight);
        var strictConfig = Support.Config(Support.ValidSettings with { IssuerAlwaysSent = true });
        var strict = Support.Pending(strictConfig, Alice, Now);
        Assert.IsType<PkceError.IssuerMissing>(Support.Left(Verify(CallbackFor(strict, iss: null), strict, Alice, Now)));
    }

    [Fact]
    public void VerifiedRefusalIsAuthorizationDeniedWithTheRfcFields()
    {
        var pending = Support.Pending(Config, Alice, Now);
        var callback = $"?error=access_denied&error_description=User+said+no&error_uri=https%3A%2F%2Fas.example%2Fe&state={pending.State.Value}&iss=https%3A%2F%2Fas.example";
        var error = Assert.IsType<PkceError.AuthorizationDenied>(Support.Left(Verify(callback, pending, Alice, Now)));
        Assert.Equal(("access_denied", "User said no", "https://as.example/e"), (error.Error, error.ErrorDescription.IfNone(""), error.ErrorUri.IfNone("")));
    }

    [Property]
    public Property RepeatedCodeStateOrIssIsRefused() =>
        Prop.ForAll(Gen.Elements("code", "state", "iss").ToArbitrary(), name =>
            Support.Left(Callback.Parse($"?code=a&state=b&iss=c&{name}=d")) is PkceError.MalformedCallback);

    [Fact]
    public void CallbackWithNeitherCodeNorErrorIsMalformed() =>
        Assert.IsType<PkceError.MalformedCallback>(Support.Left(Callback.Parse("https://app/cb?state=abc")));

    [Fact]
    public void FragmentResponsesAreRead() =>
        Assert.IsType<AuthorizationResponse.Granted>(Support.Right(Callback.Parse("https://app/cb#code=a&state=b")));

    /// <summary>
    /// RFC 9207 §2.4: "For error responses, clients MUST NOT assume that the error originates from the intended
    /// authorization server": an error callback from another issuer is a mix-up, not the user declining.
    /// </summary>
    [Fact]
    public void RefusalFromAnotherIssuerIsIssuerMismatchNotAuthorizationDenied()
    {
        var pending = Support.Pending(Config, Alice, Now);
        var callback = $"?error=access_denied&state={Uri.EscapeDataString(pending.State.Value)}&iss=https%3A%2F%2Fattacker.example";
        Assert.IsType<PkceError.IssuerMismatch>(Support.Left(Verify(callback, pending, Alice, Now)));
    }
}
