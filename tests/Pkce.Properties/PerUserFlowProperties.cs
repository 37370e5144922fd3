namespace Pkce.Properties;

/// <summary><see cref="PerUserFlow"/>: secrets kept per user (a cookie, a session) rather than in a shared store.</summary>
public class PerUserFlowProperties
{
    private static readonly UserKey Alice = Support.User("alice");

    private sealed class Slot
    {
        public Option<UserSecrets> Value;
        public EitherAsync<PkceError, Unit> Save(UserSecrets secrets, CancellationToken _) { Value = Some(secrets); return RightAsync<PkceError, Unit>(unit); }
        public EitherAsync<PkceError, Option<UserSecrets>> Take(State _, CancellationToken __) { var v = Value; Value = None; return RightAsync<PkceError, Option<UserSecrets>>(v); }
    }

    private static (PkceConfig Config, Dependencies Deps, FakeServer Server) Rig()
    {
        var server = new FakeServer(_ => FakeServer.Token("at-1"));
        return (Support.Config(), new Dependencies(Support.Replay([5, 6]), Support.Clock(), server.Port()), server);
    }

    private static AuthorizationResponse ResponseFor(PendingAuthorization pending) =>
        Support.Right(Callback.Parse($"?code=c-1&state={pending.State.Value}&iss=https%3A%2F%2Fas.example"));

    [Fact]
    public void TheSecretsSavedAreThoseOfTheFlowStarted()
    {
        var (config, deps, _) = Rig();
        var slot = new Slot();
        var started = Support.Right(Support.Run(PerUserFlow.Start(config, deps, slot.Save, Alice, Seq<QueryParameter>(), CancellationToken.None)));
        var saved = slot.Value.IfNone(() => throw new Xunit.Sdk.XunitException("nothing saved"));
        Assert.Equal(UserSecrets.Of(started.Pending), saved);
        Assert.Equal(("alice", started.Pending.State.Value, started.Pending.ExpiresAt), (saved.User, saved.State, saved.ExpiresAt));
        Assert.Contains(started.Pending.Challenge.Value, started.AuthorizationUrl);
        var made = Support.Right(Support.Run(PerUserFlow.MakeSecrets(config, deps, slot.Save, Alice, CancellationToken.None)));
        Assert.Equal(UserSecrets.Of(made), slot.Value.IfNone(() => throw new Xunit.Sdk.XunitException("nothing saved")));
    }

    [Fact]
    public void CompleteRedeemsTheCodeWithTheSavedVerifierOnce()
    {
        var (config, deps, server) = Rig();
        var slot = new Slot();
        var pending = Support.Right(Support.Run(PerUserFlow.MakeSecrets(config, deps, slot.Save, Alice, CancellationToken.None)));
        Assert.Equal("at-1", Support.Right(Support.Run(PerUserFlow.Complete(config, deps, slot.Take, Alice, ResponseFor(pending), CancellationToken.None))).AccessToken);
        Assert.Equal(pending.Verifier.Value, Assert.Single(server.Requests).Form["code_verifier"]);
        Assert.IsType<PkceError.StateUnknown>(Support.Left(Support.Run(PerUserFlow.Complete(config, deps, slot.Take, Alice, ResponseFor(pending), CancellationToken.None))));
        Assert.Single(server.Requests);
    }

    [Fact]
    public void TheVerifiedPendingAuthorizationIsTheOneStarted()
    {
        var (config, deps, _) = Rig();
        var slot = new Slot();
        var pending = Support.Right(Support.Run(PerUserFlow.MakeSecrets(config, deps, slot.Save, Alice, CancellationToken.None)));
        var verified = Support.Right(Support.Run(PerUserFlow.VerifyCallback(config, deps.Clock, slot.Take, Alice, ResponseFor(pending), CancellationToken.None)));
        Assert.Equal(pending, verified.Pending);
    }

    public static TheoryData<string, Func<UserSecrets, UserSecrets>> Corruptions => new()
    {
        { "user", s => s with { User = "" } },
        { "state", s => s with { State = "" } },
        { "verifier", s => s with { CodeVerifier = "short" } },
        { "challenge", s => s with { CodeChallenge = "short" } },
        { "challenge of another verifier", s => s with { CodeChallenge = Challenge.S256(Support.Right(CodeVerifier.From(new string('a', 43)))).Value } },
        { "expiry beyond the lifetime and skew", s => s with { ExpiresAt = s.ExpiresAt + TimeSpan.FromMinutes(1) + TimeSpan.FromTicks(1) } },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void CorruptSecretsAreAStoreFailureAndReachNoEndpoint(string what, Func<UserSecrets, UserSecrets> corrupt)
    {
        var (config, deps, server) = Rig();
        var slot = new Slot();
        var pending = Support.Right(Support.Run(PerUserFlow.MakeSecrets(config, deps, slot.Save, Alice, CancellationToken.None)));
        slot.Value = slot.Value.Map(corrupt);
        var error = Support.Left(Support.Run(PerUserFlow.Complete(config, deps, slot.Take, Alice, ResponseFor(pending), CancellationToken.None)));
        Assert.True(error is PkceError.StoreFailure { Reason: var r } && r.StartsWith("the stored secrets are corrupt: "), what + ": " + error);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void AnExpiryWithinTheSkewIsAccepted()
    {
        var (config, deps, _) = Rig();
        var slot = new Slot();
        var pending = Support.Right(Support.Run(PerUserFlow.MakeSecrets(config, deps, slot.Save, Alice, CancellationToken.None)));
        slot.Value = slot.Value.Map(s => s with { ExpiresAt = s.ExpiresAt + TimeSpan.FromMinutes(1) });
        var verified = Support.Right(Support.Run(PerUserFlow.VerifyCallback(config, deps.Clock, slot.Take, Alice, ResponseFor(pending), CancellationToken.None)));
        Assert.Equal(pending.ExpiresAt + TimeSpan.FromMinutes(1), verified.Pending.ExpiresAt);
        Assert.Equal(pending.CreatedAt + TimeSpan.FromMinutes(1), verified.Pending.CreatedAt);
    }

    [Fact]
    public void SecretsPrintWithoutTheVerifierAndDeconstruct()
    {
        var secrets = new UserSecrets("u", "s", "the-verifier-value", "c", DateTimeOffset.UnixEpoch);
        Assert.Equal("UserSecrets { User = u, State = s, CodeVerifier = [redacted], CodeChallenge = c, ExpiresAt = 1970-01-01T00:00:00.0000000+00:00 }", secrets.ToString());
        var (state, verifier, challenge) = secrets;
        Assert.Equal(("s", "the-verifier-value", "c"), (state, verifier, challenge));
    }
}
