namespace Pkce.Properties;

/// <summary>
/// <see cref="InMemoryPendingStore"/> sweeps on a write once its minute is up (at the minute exactly, not before),
/// forgets an entry whose expiry has come (at the expiry exactly), and honours cancellation before touching anything.
/// An expired entry still held is reported as <see cref="PkceError.StateExpired"/>; a forgotten one as
/// <see cref="PkceError.StateUnknown"/>, so a take tells whether a sweep ran.
/// </summary>
public class InMemorySweepScheduleProperties
{
    // Made per use: a configuration in a static field would be validated once, under whichever code loaded it first.
    private static PkceConfig ShortLived => Support.Config(Support.ValidSettings with { PendingLifetime = TimeSpan.FromSeconds(30) });

    private static PendingAuthorization SaveOne(InMemoryPendingStore store, Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
    {
        var pending = Support.Pending(ShortLived, Support.User("u"), clock.GetUtcNow());
        Support.Right(Support.Run(store.Save(pending, default)));
        return pending;
    }

    private static PkceError Take(InMemoryPendingStore store, PendingAuthorization pending) =>
        Support.Left(Support.Run(store.Take(pending.State, default)));

    [Fact]
    public void AWriteBeforeTheMinuteIsUpDoesNotSweep()
    {
        var clock = Support.Clock();
        var store = new InMemoryPendingStore(clock);
        var first = SaveOne(store, clock);             // sweeps (nothing yet); the next sweep is due in a minute
        clock.Advance(TimeSpan.FromSeconds(59));       // `first` expired 29 s ago
        SaveOne(store, clock);
        Assert.IsType<PkceError.StateExpired>(Take(store, first));
    }

    [Fact]
    public void AWriteAtTheMinuteSweepsEntriesExpiredThenOrAtThatInstant()
    {
        var clock = Support.Clock();
        var store = new InMemoryPendingStore(clock);
        var early = SaveOne(store, clock);             // expires at 0:30
        clock.Advance(TimeSpan.FromSeconds(30));
        var exact = SaveOne(store, clock);             // expires at 1:00, the instant of the next sweep
        var taken = SaveOne(store, clock);
        Support.Right(Support.Run(store.Take(taken.State, default)));
        clock.Advance(TimeSpan.FromSeconds(30));       // 1:00: the sweep is due exactly now
        var late = SaveOne(store, clock);
        Assert.IsType<PkceError.StateUnknown>(Take(store, early));
        Assert.IsType<PkceError.StateUnknown>(Take(store, exact));
        Assert.IsType<PkceError.StateUnknown>(Take(store, taken));
        Assert.Equal(late, Support.Right(Support.Run(store.Take(late.State, default))));
    }

    [Fact]
    public void TheSweepAfterASweepWaitsAnotherMinute()
    {
        var clock = Support.Clock();
        var store = new InMemoryPendingStore(clock);
        SaveOne(store, clock);                         // 0:00 sweep; next due at 1:00
        clock.Advance(TimeSpan.FromMinutes(1));
        var atOne = SaveOne(store, clock);             // 1:00 sweep; next due at 2:00
        clock.Advance(TimeSpan.FromSeconds(59));       // 1:59: `atOne` expired at 1:30 but no sweep is due
        SaveOne(store, clock);
        Assert.IsType<PkceError.StateExpired>(Take(store, atOne));
    }

    [Fact]
    public void ASecondSaveOfOneStateIsRefusedInWords()
    {
        var clock = Support.Clock();
        var store = new InMemoryPendingStore(clock);
        var pending = SaveOne(store, clock);
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(Support.Run(store.Save(pending, default))));
        Assert.Equal("a pending authorization with this state already exists", error.Reason);
    }

    [Fact]
    public void CancelledCallsThrowAndChangeNothing()
    {
        var clock = Support.Clock();
        var store = new InMemoryPendingStore(clock);
        var pending = Support.Pending(ShortLived, Support.User("u"), clock.GetUtcNow());
        var cancelled = new CancellationToken(true);
        Assert.Throws<OperationCanceledException>(() => store.Save(pending, cancelled));
        Assert.Equal(0, store.PendingCount);
        Support.Right(Support.Run(store.Save(pending, default)));
        Assert.Throws<OperationCanceledException>(() => store.Take(pending.State, cancelled));
        Assert.Equal(1, store.PendingCount);
    }
}
