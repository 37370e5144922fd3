using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Pkce.Properties;

/// <summary><see cref="TokenSource"/> over the in-memory token store and an in-process token endpoint.</summary>
public class TokenSourceProperties
{
    private static readonly TokenKey Key = new(Support.User("alice"), "https://api.example", "read");

    private static readonly PkceSettings Settings = Support.ValidSettings with { RevocationEndpoint = "https://as.example/revoke" };

    private sealed record Rig(TokenSource Source, InMemoryTokenStore Store, FakeServer Server, FakeTimeProvider Clock, Dependencies Deps);

    private static Rig RigFor(Func<FakeServer.Sent, HttpResponseMessage> answer, TokenStore? store = null, TokenSourceOptions? options = null,
        TimeSpan delay = default)
    {
        var clock = Support.Clock();
        var server = new FakeServer(answer) { Delay = delay };
        var deps = new Dependencies(Support.Replay([7]), clock, server.Port());
        var memory = new InMemoryTokenStore(clock);
        return new Rig(new TokenSource(Support.Config(Settings), deps, store ?? memory.Ports, options), memory, server, clock, deps);
    }

    private static TokenResponse Response(string access, int? expiresIn = 3600, string? refresh = "rt-0") =>
        new(access, "Bearer", Optional(expiresIn).Map(s => TimeSpan.FromSeconds((int)s!)), Optional(refresh), None, None, HashMap<string, System.Text.Json.JsonElement>(), "{}");

    private static TokenSet Saved(Rig rig, TokenResponse response) => Support.Right(Support.Run(rig.Source.Save(Key, response, CancellationToken.None)));

    private static Either<PkceError, TokenSet> Get(Rig rig) => Support.Run(rig.Source.Get(Key, CancellationToken.None));

    [Fact]
    public void AFreshTokenIsHandedOutWithoutARequest()
    {
        var rig = RigFor(_ => throw new InvalidOperationException("no request expected"));
        var saved = Saved(rig, Response("at-0"));
        Assert.Equal(rig.Clock.GetUtcNow() + TimeSpan.FromHours(1), saved.ExpiresAt.IfNone(DateTimeOffset.MinValue));
        Assert.Equal("at-0", Support.Right(Get(rig)).AccessToken);
        Assert.Empty(rig.Server.Requests);
        Assert.Equal(0, rig.Source.Refreshes);
    }

    [Fact]
    public void SavingTwiceReplacesTheTokens()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        Saved(rig, Response("at-0"));
        Saved(rig, Response("at-1"));
        Assert.Equal("at-1", Support.Right(Get(rig)).AccessToken);
        Assert.Equal(2, Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None))).Version);
    }

    [Fact]
    public void ATokenWithinTheMarginIsRenewedWithTheRefreshTokenAndTheRotationIsKept()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"));
        Saved(rig, Response("at-0"));
        rig.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(59));
        var renewed = Support.Right(Get(rig));
        Assert.Equal("at-1", renewed.AccessToken);
        Assert.Equal(Some("rt-1"), renewed.RefreshToken);
        var sent = Assert.Single(rig.Server.Requests);
        Assert.Equal("refresh_token", sent.Form["grant_type"]);
        Assert.Equal("rt-0", sent.Form["refresh_token"]);
        Assert.Equal(1, rig.Source.Refreshes);
        var stored = Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None)));
        Assert.Equal("at-1", stored.Tokens.Map(t => t.AccessToken).IfNone(""));
        // Fresh again: no second request.
        Assert.Equal("at-1", Support.Right(Get(rig)).AccessToken);
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public void ATokenJustOutsideTheMarginIsNotRenewed()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        Saved(rig, Response("at-0"));
        rig.Clock.Advance(TimeSpan.FromHours(1) - TimeSpan.FromSeconds(61));
        Assert.Equal("at-0", Support.Right(Get(rig)).AccessToken);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void RefreshRenewsEvenAFreshToken()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        Saved(rig, Response("at-0"));
        var renewed = Support.Right(Support.Run(rig.Source.Refresh(Key, CancellationToken.None)));
        Assert.Equal("at-1", renewed.AccessToken);
        Assert.Equal(Some("rt-0"), renewed.RefreshToken);
        Assert.Equal(1, rig.Source.Refreshes);
    }

    [Fact]
    public void NothingStoredMeansLoginRequired()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        var error = Assert.IsType<PkceError.LoginRequired>(Support.Left(Get(rig)));
        Assert.Contains("no tokens are stored", error.Reason);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void ARefusedRefreshTokenMarksTheKeyForANewLogin()
    {
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_grant"));
        Saved(rig, Response("at-0"));
        var error = Assert.IsType<PkceError.LoginRequired>(Support.Left(Support.Run(rig.Source.Refresh(Key, CancellationToken.None))));
        Assert.Contains("invalid_grant", error.Reason);
        var stored = Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None)));
        Assert.True(stored.LoginRequired.IsSome);
        Assert.True(stored.Tokens.IsSome);
        // Marked: no second refresh is tried.
        Assert.IsType<PkceError.LoginRequired>(Support.Left(Support.Run(rig.Source.Refresh(Key, CancellationToken.None))));
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public void InvalidGrantOnAnotherStatusThan400IsNotFinal()
    {
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_grant", HttpStatusCode.Unauthorized));
        Saved(rig, Response("at-0"));
        var error = Assert.IsType<PkceError.EndpointError>(Support.Left(Support.Run(rig.Source.Refresh(Key, CancellationToken.None))));
        Assert.Equal(401, error.Status);
        Assert.True(Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None))).LoginRequired.IsNone);
    }

    [Fact]
    public void AnotherErrorIsReturnedAsItIsAndNothingIsMarked()
    {
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_client"));
        Saved(rig, Response("at-0"));
        var error = Assert.IsType<PkceError.EndpointError>(Support.Left(Support.Run(rig.Source.Refresh(Key, CancellationToken.None))));
        Assert.Equal("invalid_client", error.Error);
        Assert.True(Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None))).LoginRequired.IsNone);
    }

    [Fact]
    public void AnExpiredTokenWithoutRefreshTokenIsMarkedForANewLogin()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        Saved(rig, Response("at-0", refresh: null));
        rig.Clock.Advance(TimeSpan.FromHours(2));
        var error = Assert.IsType<PkceError.LoginRequired>(Support.Left(Get(rig)));
        Assert.Contains("no refresh token", error.Reason);
        Assert.True(Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None))).LoginRequired.IsSome);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void AForcedRefreshOfAFreshTokenWithoutRefreshTokenMarksNothing()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        Saved(rig, Response("at-0", refresh: null));
        Assert.IsType<PkceError.LoginRequired>(Support.Left(Support.Run(rig.Source.Refresh(Key, CancellationToken.None))));
        Assert.True(Support.Right(Support.Run(rig.Store.Load(Key, CancellationToken.None))).LoginRequired.IsNone);
        Assert.Equal("at-0", Support.Right(Get(rig)).AccessToken);
    }

    [Fact]
    public void ARotatedRefreshTokenInAnUnusableAnswerIsStillKept()
    {
        var answers = 0;
        var rig = RigFor(_ => Interlocked.Increment(ref answers) == 1 ? FakeServer.Token("at-1", refresh: "rt-1", type: "mac") : FakeServer.Token("at-2", refresh: "rt-2"));
        Saved(rig, Response("at-0"));
        Assert.IsType<PkceError.UnsupportedTokenType>(Support.Left(Support.Run(rig.Source.Refresh(Key, CancellationToken.None))));
        // The kept tokens are due for renewal at once, with the rotated refresh token.
        Assert.Equal("at-2", Support.Right(Get(rig)).AccessToken);
        Assert.Equal("rt-1", rig.Server.Requests[1].Form["refresh_token"]);
    }

    [Fact]
    public async Task ConcurrentCallersShareOneRefresh()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"), delay: TimeSpan.FromMilliseconds(200));
        Saved(rig, Response("at-0"));
        rig.Clock.Advance(TimeSpan.FromHours(2));
        var all = Enumerable.Range(0, 8).Select(_ => rig.Source.Get(Key, CancellationToken.None).ToEither()).ToArray();
        foreach (var one in all) Assert.Equal("at-1", Support.Right(await one).AccessToken);
        Assert.Equal(1, rig.Source.Refreshes);
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public void ALeaseHeldElsewhereForLongerThanTheWaitIsAStoreFailure()
    {
        var server = new FakeServer(_ => FakeServer.Token("at-1"));
        var store = new InMemoryTokenStore(TimeProvider.System);
        var deps = new Dependencies(Support.Replay([7]), TimeProvider.System, server.Port());
        var source = new TokenSource(Support.Config(Settings), deps, store.Ports, new TokenSourceOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(100)));
        Support.Right(Support.Run(source.Save(Key, Response("at-0"), CancellationToken.None)));
        Assert.True(Support.Right(Support.Run(store.Acquire(Key, "someone else", TimeSpan.FromMinutes(5), CancellationToken.None))));
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(source.Refresh(Key, CancellationToken.None))));
        Assert.Contains("lease", error.Reason);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ARenewalWrittenByTheLeaseHolderElsewhereIsUsedWithoutARequest()
    {
        var server = new FakeServer(_ => FakeServer.Token("at-mine"));
        var store = new InMemoryTokenStore(TimeProvider.System);
        var deps = new Dependencies(Support.Replay([7]), TimeProvider.System, server.Port());
        var source = new TokenSource(Support.Config(Settings), deps, store.Ports, new TokenSourceOptions(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(20)));
        var saved = Support.Right(Support.Run(source.Save(Key, Response("at-0"), CancellationToken.None)));
        Assert.True(Support.Right(Support.Run(store.Acquire(Key, "someone else", TimeSpan.FromMinutes(5), CancellationToken.None))));
        var waiting = source.Refresh(Key, CancellationToken.None).ToEither();
        await Task.Delay(100);
        Assert.True(Support.Right(Support.Run(store.Swap(Key, 1, new StoredTokens(0, Some(saved with { AccessToken = "at-theirs" }), None), CancellationToken.None))));
        Assert.Equal("at-theirs", Support.Right(await waiting).AccessToken);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public void ARenewalTheStoreCouldNotWriteIsWrittenFirstNextTime()
    {
        var failSwaps = false;
        InMemoryTokenStore? memory = null;
        TokenStore Flaky(InMemoryTokenStore m) => m.Ports with
        {
            Swap = (key, version, next, ct) => failSwaps ? LeftAsync<PkceError, bool>(new PkceError.StoreFailure("disk full")) : m.Swap(key, version, next, ct),
        };
        var clock = Support.Clock();
        memory = new InMemoryTokenStore(clock);
        var server = new FakeServer(_ => FakeServer.Token("at-1", refresh: "rt-1"));
        var source = new TokenSource(Support.Config(Settings), new Dependencies(Support.Replay([7]), clock, server.Port()), Flaky(memory));
        Support.Right(Support.Run(source.Save(Key, Response("at-0"), CancellationToken.None)));
        failSwaps = true;
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(source.Refresh(Key, CancellationToken.None))));
        failSwaps = false;
        // The next refresh gets the renewal that could not be written, and it is stored now, without a second request.
        Assert.Equal("at-1", Support.Right(Support.Run(source.Refresh(Key, CancellationToken.None))).AccessToken);
        Assert.Single(server.Requests);
        Assert.Equal(1, source.Refreshes);
        Assert.Equal("at-1", Support.Right(Support.Run(memory.Load(Key, CancellationToken.None))).Tokens.Map(t => t.AccessToken).IfNone(""));
    }

    [Fact]
    public void AStoreThatFailsToLoadIsAnError()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        var broken = new InMemoryTokenStore().Ports with { Load = (_, _) => LeftAsync<PkceError, StoredTokens>(new PkceError.StoreFailure("down")) };
        var source = new TokenSource(Support.Config(Settings), rig.Deps, broken);
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(source.Get(Key, CancellationToken.None))));
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(source.Save(Key, Response("x"), CancellationToken.None))));
        Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(source.Revoke(Key, CancellationToken.None))));
    }

    [Fact]
    public void RevokeRevokesTheRefreshTokenThenTheAccessTokenAndSignsOut()
    {
        var rig = RigFor(_ => new HttpResponseMessage(HttpStatusCode.OK));
        Saved(rig, Response("at-0"));
        Assert.True(Support.Right(Support.Run(rig.Source.Revoke(Key, CancellationToken.None))).IsNone);
        Assert.Equal(2, rig.Server.Requests.Count);
        Assert.Equal(("rt-0", "refresh_token"), (rig.Server.Requests[0].Form["token"], rig.Server.Requests[0].Form["token_type_hint"]));
        Assert.Equal(("at-0", "access_token"), (rig.Server.Requests[1].Form["token"], rig.Server.Requests[1].Form["token_type_hint"]));
        Assert.Equal("/revoke", rig.Server.Requests[0].Path);
        var error = Assert.IsType<PkceError.LoginRequired>(Support.Left(Get(rig)));
        Assert.Contains("signed out", error.Reason);
    }

    [Fact]
    public void RevokeForgetsTheTokensEvenWhenTheServerRefuses()
    {
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_client", HttpStatusCode.Unauthorized));
        Saved(rig, Response("at-0", refresh: null));
        var outcome = Support.Right(Support.Run(rig.Source.Revoke(Key, CancellationToken.None)));
        Assert.IsType<PkceError.EndpointError>(outcome.IfNone(() => throw new Xunit.Sdk.XunitException("expected an error")));
        Assert.Single(rig.Server.Requests);
        Assert.IsType<PkceError.LoginRequired>(Support.Left(Get(rig)));
    }

    [Fact]
    public void RevokeWithNothingStoredSendsNothing()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        Assert.True(Support.Right(Support.Run(rig.Source.Revoke(Key, CancellationToken.None))).IsNone);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void OptionsRefuseANegativeMarginAndAWaitThatIsNotPositive()
    {
        Assert.Equal(TimeSpan.Zero, new TokenSourceOptions(TimeSpan.Zero, TimeSpan.FromTicks(1)).Margin);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSourceOptions(TimeSpan.FromTicks(-1), TimeSpan.FromSeconds(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenSourceOptions(TimeSpan.Zero, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(1), TokenSourceOptions.Default.Margin);
        Assert.Equal(TimeSpan.FromMinutes(1), TokenSourceOptions.Default.LeaseWait);
    }

    [Fact]
    public void TheSourceRefusesNullDependencies()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        Assert.Throws<ArgumentNullException>(() => new TokenSource(null!, rig.Deps, rig.Store.Ports));
        Assert.Throws<ArgumentNullException>(() => new TokenSource(Support.Config(), null!, rig.Store.Ports));
        Assert.Throws<ArgumentNullException>(() => new TokenSource(Support.Config(), rig.Deps, null!));
    }
}
