namespace Pkce.Properties;

/// <summary>
/// <see cref="PerUserFlow"/> names what is wrong with secrets a store gave back, and an expiry at the very start of
/// time (a store that lost it) is an expired flow, not an exception.
/// </summary>
public class PerUserCorruptionWordsProperties
{
    private static readonly UserKey Alice = Support.User("alice");

    private sealed class Slot
    {
        public Option<UserSecrets> Value;
        public EitherAsync<PkceError, Unit> Save(UserSecrets secrets, CancellationToken _) { Value = Some(secrets); return RightAsync<PkceError, Unit>(unit); }
        public EitherAsync<PkceError, Option<UserSecrets>> Take(State _, CancellationToken __) { var v = Value; Value = None; return RightAsync<PkceError, Option<UserSecrets>>(v); }
    }

    private static PkceError VerifyAfter(Func<UserSecrets, UserSecrets> corrupt)
    {
        var config = Support.Config();
        var deps = new Dependencies(Support.Replay([7, 8]), Support.Clock(), new FakeServer(_ => FakeServer.Token("at-1")).Port());
        var slot = new Slot();
        var pending = Support.Right(Support.Run(PerUserFlow.MakeSecrets(config, deps, slot.Save, Alice, CancellationToken.None)));
        slot.Value = slot.Value.Map(corrupt);
        var response = Support.Right(Callback.Parse($"?code=c-1&state={pending.State.Value}&iss=https%3A%2F%2Fas.example"));
        return Support.Left(Support.Run(PerUserFlow.VerifyCallback(config, deps.Clock, slot.Take, Alice, response, CancellationToken.None)));
    }

    [Fact]
    public void AChallengeOfAnotherVerifierIsNamed() =>
        Assert.Equal("the stored secrets are corrupt: invalid code challenge: it is not S256 of the verifier",
            Assert.IsType<PkceError.StoreFailure>(VerifyAfter(s => s with { CodeChallenge = Challenge.S256(Support.Right(CodeVerifier.From(new string('a', 43)))).Value })).Reason);

    [Fact]
    public void AnExpiryBeyondTheLifetimeIsNamed()
    {
        var expiry = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        Assert.Equal("the stored secrets are corrupt: invalid expiry: 2030-01-02T03:04:05.0000000+00:00 is later than the pending lifetime allows",
            Assert.IsType<PkceError.StoreFailure>(VerifyAfter(s => s with { ExpiresAt = expiry })).Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(599)]
    [InlineData(600)]
    [InlineData(601)]
    public void AnExpiryAtTheStartOfTimeIsAnExpiredFlow(int seconds)
    {
        var expiry = DateTimeOffset.MinValue + TimeSpan.FromSeconds(seconds);
        Assert.Equal(expiry, Assert.IsType<PkceError.StateExpired>(VerifyAfter(s => s with { ExpiresAt = expiry })).ExpiredAt);
    }
}
