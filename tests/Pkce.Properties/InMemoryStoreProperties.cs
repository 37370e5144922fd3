namespace Pkce.Properties;

public class InMemoryStoreProperties
{
    private static readonly PkceConfig Config = Support.Config();

    [Property]
    public Property SaveThenTakeReturnsWhatWasSavedAndConsumesIt() =>
        Prop.ForAll(Gen.Choose(1, 20).ToArbitrary(), flows =>
        {
            var clock = Support.Clock();
            var store = new InMemoryPendingStore(clock);
            var user = Support.User("one-user");
            var pendings = Enumerable.Range(0, flows).Select(_ => Support.Pending(Config, user, clock.GetUtcNow())).ToList();
            foreach (var p in pendings) Support.Right(Support.Run(store.Save(p, default)));
            var allBack = pendings.All(p => Support.Right(Support.Run(store.Take(p.State, default))) == p);
            var allReplayed = pendings.All(p => Support.Left(Support.Run(store.Take(p.State, default))) is PkceError.StateReplayed);
            return allBack && allReplayed && store.PendingCount == 0;
        });

    [Property]
    public Property ExpiredEntriesAreNotReturned() =>
        Prop.ForAll(Gen.Choose(0, 3600).ToArbitrary(), secondsLate =>
        {
            var clock = Support.Clock();
            var store = new InMemoryPendingStore(clock);
            var pending = Support.Pending(Config, Support.User("u"), clock.GetUtcNow());
            Support.Right(Support.Run(store.Save(pending, default)));
            clock.Advance(Config.PendingLifetime + TimeSpan.FromSeconds(secondsLate));
            return Support.Left(Support.Run(store.Take(pending.State, default))) is PkceError.StateExpired
                && Support.Left(Support.Run(store.Take(pending.State, default))) is PkceError.StateUnknown;
        });

    [Fact]
    public void UnknownStateIsReportedAsUnknown() =>
        Assert.IsType<PkceError.StateUnknown>(Support.Left(Support.Run(new InMemoryPendingStore().Take(Secrets.Generate().State, default))));

    [Fact]
    public void ConcurrentTakesOfOneStateHaveExactlyOneWinner()
    {
        var store = new InMemoryPendingStore();
        for (var race = 0; race < 2000; race++)
        {
            var pending = Support.Pending(Config, Support.User("u"), DateTimeOffset.UtcNow);
            Support.Right(Support.Run(store.Save(pending, default)));
            var results = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
                .Select(_ => Support.Run(store.Take(pending.State, default))).ToList();
            Assert.Equal(1, results.Count(r => r.IsRight));
            Assert.All(results.Where(r => r.IsLeft), r => Assert.IsType<PkceError.StateReplayed>(Support.Left(r)));
        }
    }

    [Fact]
    public void SweepForgetsExpiredEntriesOnLaterWrites()
    {
        var clock = Support.Clock();
        var store = new InMemoryPendingStore(clock);
        var old = Support.Pending(Config, Support.User("u"), clock.GetUtcNow());
        Support.Right(Support.Run(store.Save(old, default)));
        clock.Advance(TimeSpan.FromHours(1));
        Support.Right(Support.Run(store.Save(Support.Pending(Config, Support.User("u"), clock.GetUtcNow()), default)));
        Assert.IsType<PkceError.StateUnknown>(Support.Left(Support.Run(store.Take(old.State, default))));
    }
}
