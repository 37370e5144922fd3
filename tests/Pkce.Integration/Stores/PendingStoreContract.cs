using Microsoft.Extensions.Time.Testing;

namespace Pkce.Integration.Stores;

/// <summary>
/// What every store of pending authorizations must do, run once per store by a derived class.
/// </summary>
public abstract class PendingStoreContract
{
    protected static readonly PkceConfig Config = Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "contract",
        RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "https://as.example/authorize",
        TokenEndpoint = "https://as.example/token",
        ExpectedIssuer = "https://as.example",
        PendingLifetime = TimeSpan.FromSeconds(2),
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    protected readonly FakeTimeProvider Clock = new(DateTimeOffset.UtcNow);

    /// <summary>A fresh, empty store whose expiry (where the store computes it) follows <see cref="Clock"/>.</summary>
    protected abstract PendingStore CreateStore();

    /// <summary>Lets <paramref name="by"/> pass for the store: the fake clock, and real time where the server keeps it.</summary>
    protected virtual Task PassTimeAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return Task.CompletedTask;
    }

    /// <summary>How many races the concurrency test runs; each has <see cref="Racers"/> concurrent takers.</summary>
    protected virtual int Races => 2000;

    protected const int Racers = 8;

    protected PendingAuthorization NewPending(string user = "user") =>
        PendingAuthorization.For(Config, Secrets.Generate(), UserKey.From(user).IfLeft(_ => throw new InvalidOperationException()), Clock.GetUtcNow());



    [Fact]
    public async Task Save_then_take_returns_what_was_saved()
    {
        var store = CreateStore();
        var pending = NewPending();
        await Expect.Right(store.Save(pending, default));
        Assert.Equal(pending, await Expect.Right(store.Take(pending.State, default)));
    }

    [Fact]
    public async Task Take_consumes_so_a_second_take_never_returns_the_value()
    {
        var store = CreateStore();
        var pending = NewPending();
        await Expect.Right(store.Save(pending, default));
        await Expect.Right(store.Take(pending.State, default));
        Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(pending.State, default)));
    }

    [Fact]
    public async Task Unknown_state_is_reported_as_unknown() =>
        Assert.IsType<PkceError.StateUnknown>(await Expect.Left(CreateStore().Take(Secrets.Generate().State, default)));

    [Fact]
    public async Task Expired_entries_are_not_returned()
    {
        var store = CreateStore();
        var pending = NewPending();
        await Expect.Right(store.Save(pending, default));
        await PassTimeAsync(Config.PendingLifetime + TimeSpan.FromMilliseconds(500));
        Assert.True(await Expect.Left(store.Take(pending.State, default)) is PkceError.StateExpired or PkceError.StateUnknown);
    }

    [Fact]
    public async Task Saving_a_state_twice_is_refused_and_keeps_the_first()
    {
        var store = CreateStore();
        var pending = NewPending();
        await Expect.Right(store.Save(pending, default));
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(pending with { User = UserKey.From("other").IfLeft(_ => null!) }, default)));
        Assert.Equal("user", (await Expect.Right(store.Take(pending.State, default))).User.Value);
    }

    [Fact]
    public async Task Many_flows_of_one_user_coexist()
    {
        var store = CreateStore();
        var flows = Enumerable.Range(0, 20).Select(_ => NewPending("one-user")).ToList();
        foreach (var flow in flows) await Expect.Right(store.Save(flow, default));
        foreach (var flow in Enumerable.Reverse(flows)) Assert.Equal(flow, await Expect.Right(store.Take(flow.State, default)));
    }

    [Fact]
    public async Task Concurrent_takes_of_one_state_have_exactly_one_winner()
    {
        var store = CreateStore();
        var winners = new int[Races];
        for (var race = 0; race < Races; race++)
        {
            var pending = NewPending();
            await Expect.Right(store.Save(pending, default));
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var takes = Enumerable.Range(0, Racers).Select(async _ =>
            {
                await start.Task;
                return await store.Take(pending.State, default).ToEither();
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(takes);
            winners[race] = results.Count(r => r.IsRight);
            Assert.All(results.Where(r => r.IsLeft), r => Assert.IsType<PkceError.StateReplayed>(r.Match(_ => null!, e => e)));
        }
        Assert.All(winners, w => Assert.Equal(1, w));
        RaceReport.Record(GetType().Name, Races, Racers, winners);
    }

    [Fact]
    public async Task Cancellation_is_an_exception_not_a_store_error()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await CreateStore().Save(NewPending(), cancelled.Token).ToEither());
    }
}

/// <summary>Prints the race test's numbers, for the record.</summary>
internal static class RaceReport
{
    public static void Record(string store, int races, int racers, int[] winners) =>
        Console.WriteLine($"race report: {store}: {races} races x {racers} takers, winners per race min {winners.Min()} max {winners.Max()}");
}
