using Microsoft.Extensions.Time.Testing;

namespace Pkce.Integration.Stores;

/// <summary>
/// What every token store must do, run once per store by a derived class: versions and compare-and-swap, deletion,
/// login-required marks, refresh leases, cancellation.
/// </summary>
public abstract class TokenStoreContract
{
    protected readonly FakeTimeProvider Clock = new(DateTimeOffset.UtcNow);

    /// <summary>A fresh, empty store whose leases (where the store judges them) follow <see cref="Clock"/>.</summary>
    protected abstract TokenStore CreateStore();

    /// <summary>Lets <paramref name="by"/> pass for the store: the fake clock, and real time where the server keeps it.</summary>
    protected virtual Task PassTimeAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return Task.CompletedTask;
    }

    /// <summary>The lease lifetime of the lapse tests: long on a fake clock, short where real time must pass.</summary>
    protected virtual TimeSpan ShortTtl => TimeSpan.FromSeconds(30);

    /// <summary>How many races the concurrency tests run; each has <see cref="Writers"/> concurrent writers.</summary>
    protected virtual int Races => 2000;

    protected const int Writers = 8;

    private static readonly TimeSpan LongTtl = TimeSpan.FromMinutes(5);

    protected static TokenKey NewKey(string user = "alice", string resource = "api", string scope = "read write") =>
        new(UserKey.From(user + "-" + Guid.NewGuid().ToString("N")).IfLeft(_ => throw new InvalidOperationException()), resource, scope);

    protected static TokenSet NewTokens(string tag = "") =>
        new("at-" + tag + Guid.NewGuid().ToString("N"), "Bearer", Some(DateTimeOffset.UnixEpoch.AddDays(20000)), Some("rt-" + tag + Guid.NewGuid().ToString("N")), Some("read write"), DateTimeOffset.UnixEpoch.AddDays(19999));

    protected static StoredTokens Holding(TokenSet tokens) => new(0, Some(tokens), None);

    /// <summary>Prints a race test's numbers, for the record.</summary>
    private void Report(string what, int races, int[] winners) =>
        Console.WriteLine($"race report: {GetType().Name}: {races} races x {Writers} concurrent {what}, winners per race min {winners.Min()} max {winners.Max()}");


    [Fact]
    public async Task Nothing_stored_loads_as_version_zero() =>
        Assert.Equal(StoredTokens.Nothing, await Expect.Right(CreateStore().Load(NewKey(), default)));

    [Fact]
    public async Task A_swap_from_zero_writes_version_one_and_loads_back()
    {
        var store = CreateStore();
        var key = NewKey();
        var tokens = NewTokens();
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(tokens), default)));
        Assert.Equal(new StoredTokens(1, Some(tokens), None), await Expect.Right(store.Load(key, default)));
    }

    [Fact]
    public async Task Each_swap_writes_the_next_version()
    {
        var store = CreateStore();
        var key = NewKey();
        for (var version = 0L; version < 5; version++)
        {
            var tokens = NewTokens();
            Assert.True(await Expect.Right(store.Swap(key, version, Holding(tokens), default)));
            Assert.Equal(new StoredTokens(version + 1, Some(tokens), None), await Expect.Right(store.Load(key, default)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(-1)]
    public async Task A_swap_with_a_stale_or_future_version_is_refused_and_leaves_the_value(long expected)
    {
        var store = CreateStore();
        var key = NewKey();
        var kept = NewTokens();
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default)));
        Assert.True(await Expect.Right(store.Swap(key, 1, Holding(kept), default)));
        Assert.False(await Expect.Right(store.Swap(key, expected, Holding(NewTokens()), default)));
        Assert.Equal(new StoredTokens(2, Some(kept), None), await Expect.Right(store.Load(key, default)));
    }

    [Fact]
    public async Task A_swap_on_an_empty_key_from_a_version_above_zero_is_refused()
    {
        var store = CreateStore();
        var key = NewKey();
        Assert.False(await Expect.Right(store.Swap(key, 1, Holding(NewTokens()), default)));
        Assert.Equal(StoredTokens.Nothing, await Expect.Right(store.Load(key, default)));
    }

    [Fact]
    public async Task Keys_that_differ_in_any_part_do_not_share_tokens()
    {
        var store = CreateStore();
        var user = UserKey.From("u|1:x" + Guid.NewGuid().ToString("N")).IfLeft(_ => throw new InvalidOperationException());
        // Parts that run into each other if a key were their plain concatenation, and braces for Redis hash tags.
        TokenKey[] keys =
        [
            new(user, "a", "b"), new(user, "a|1:b", ""), new(user, "", "a|1:b"), new(user, "ab", ""),
            new(user, "{a}", "b"), new(user, "}{", "b"), new(user, "a", "b "),
        ];
        var written = keys.Select(_ => NewTokens()).ToArray();
        for (var i = 0; i < keys.Length; i++) Assert.True(await Expect.Right(store.Swap(keys[i], 0, Holding(written[i]), default)));
        for (var i = 0; i < keys.Length; i++)
            Assert.Equal(new StoredTokens(1, Some(written[i]), None), await Expect.Right(store.Load(keys[i], default)));
    }

    [Fact]
    public async Task Keys_that_differ_only_in_lone_surrogates_do_not_share_tokens()
    {
        // A user key is any string: UTF-8 would turn each lone surrogate into the same U+FFFD and merge these users.
        var store = CreateStore();
        var unique = Guid.NewGuid().ToString("N");
        var keys = new[] { "\ud800", "\ud801", "\udc00", "\ufffd" }
            .Select(tail => new TokenKey(UserKey.From(unique + tail).IfLeft(_ => throw new InvalidOperationException()), "api", "read")).ToArray();
        var written = keys.Select(_ => NewTokens()).ToArray();
        for (var i = 0; i < keys.Length; i++) Assert.True(await Expect.Right(store.Swap(keys[i], 0, Holding(written[i]), default)));
        for (var i = 0; i < keys.Length; i++)
            Assert.Equal(new StoredTokens(1, Some(written[i]), None), await Expect.Right(store.Load(keys[i], default)));
    }

    [Fact]
    public async Task Concurrent_swaps_of_one_version_have_exactly_one_winner()
    {
        var store = CreateStore();
        var key = NewKey();
        var winners = new int[Races];
        for (var race = 0; race < Races; race++)
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var offers = Enumerable.Range(0, Writers).Select(_ => NewTokens()).ToArray();
            var version = race;
            var swaps = offers.Select(async offer =>
            {
                await start.Task;
                return await Expect.Right(store.Swap(key, version, Holding(offer), default));
            }).ToList();
            start.SetResult();
            var results = await Task.WhenAll(swaps);
            winners[race] = results.Count(won => won);
            Assert.True(winners[race] == 1, $"race {race}: {winners[race]} of {Writers} writers won the swap from version {race}");
            // The stored value is the winner's, whole: never one writer's version with another's tokens.
            var stored = await Expect.Right(store.Load(key, default));
            Assert.Equal(race + 1, stored.Version);
            Assert.Equal(Some(offers[System.Array.IndexOf(results, true)]), stored.Tokens);
        }
        Report("swaps", Races, winners);
        Assert.All(winners, w => Assert.Equal(1, w));
    }

    [Fact]
    public async Task Delete_forgets_the_tokens_and_the_version_starts_again()
    {
        var store = CreateStore();
        var key = NewKey();
        var other = NewKey();
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default)));
        Assert.True(await Expect.Right(store.Swap(other, 0, Holding(NewTokens()), default)));
        await Expect.Right(store.Delete(key, default));
        Assert.Equal(StoredTokens.Nothing, await Expect.Right(store.Load(key, default)));
        Assert.Equal(1, (await Expect.Right(store.Load(other, default))).Version);
        Assert.False(await Expect.Right(store.Swap(key, 1, Holding(NewTokens()), default)));
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default)));
    }

    [Fact]
    public async Task Deleting_nothing_succeeds() => await Expect.Right(CreateStore().Delete(NewKey(), default));

    [Fact]
    public async Task A_login_required_mark_round_trips_and_replaces_the_tokens()
    {
        var store = CreateStore();
        var key = NewKey();
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(NewTokens()), default)));
        var mark = new StoredTokens(0, None, Some("the server refused the refresh token (invalid_grant)"));
        Assert.True(await Expect.Right(store.Swap(key, 1, mark, default)));
        Assert.Equal(mark with { Version = 2 }, await Expect.Right(store.Load(key, default)));
    }

    [Fact]
    public async Task Tokens_without_expiry_refresh_token_or_scope_round_trip()
    {
        var store = CreateStore();
        var key = NewKey();
        var bare = new TokenSet("at-" + Guid.NewGuid().ToString("N"), "bearer", None, None, None, DateTimeOffset.UnixEpoch);
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(bare), default)));
        Assert.Equal(new StoredTokens(1, Some(bare), None), await Expect.Right(store.Load(key, default)));
    }

    [Fact]
    public async Task A_lease_has_one_holder_at_a_time()
    {
        var store = CreateStore();
        var key = NewKey();
        Assert.True(await Expect.Right(store.Acquire(key, "one", LongTtl, default)));
        Assert.False(await Expect.Right(store.Acquire(key, "two", LongTtl, default)));
        Assert.True(await Expect.Right(store.Acquire(NewKey(), "two", LongTtl, default))); // another key's lease is free
    }

    [Fact]
    public async Task The_holder_can_take_its_lease_again_which_extends_it()
    {
        var store = CreateStore();
        var key = NewKey();
        var ttl = ShortTtl;
        Assert.True(await Expect.Right(store.Acquire(key, "one", ttl, default)));
        await PassTimeAsync(ttl * 0.6);
        Assert.True(await Expect.Right(store.Acquire(key, "one", ttl, default)));
        await PassTimeAsync(ttl * 0.6); // past the first lease's end, within the second's
        Assert.False(await Expect.Right(store.Acquire(key, "two", ttl, default)));
    }

    [Fact]
    public async Task A_lease_lapses_after_its_ttl()
    {
        var store = CreateStore();
        var key = NewKey();
        Assert.True(await Expect.Right(store.Acquire(key, "one", ShortTtl, default)));
        await PassTimeAsync(ShortTtl * 1.5);
        Assert.True(await Expect.Right(store.Acquire(key, "two", ShortTtl, default)));
        Assert.False(await Expect.Right(store.Acquire(key, "one", ShortTtl, default)));
    }

    [Fact]
    public async Task Only_the_holder_releases_a_lease()
    {
        var store = CreateStore();
        var key = NewKey();
        Assert.True(await Expect.Right(store.Acquire(key, "one", LongTtl, default)));
        await Expect.Right(store.Release(key, "two", default));
        Assert.False(await Expect.Right(store.Acquire(key, "two", LongTtl, default)));
        await Expect.Right(store.Release(key, "one", default));
        Assert.True(await Expect.Right(store.Acquire(key, "two", LongTtl, default)));
        await Expect.Right(store.Release(NewKey(), "two", default)); // releasing a lease nobody holds is fine
    }

    [Fact]
    public async Task Concurrent_acquires_of_a_free_lease_have_exactly_one_winner()
    {
        var store = CreateStore();
        var races = Math.Min(Races, 500);
        var winners = new int[races];
        for (var race = 0; race < races; race++)
        {
            var key = NewKey();
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var takes = Enumerable.Range(0, Writers).Select(async writer =>
            {
                await start.Task;
                return await Expect.Right(store.Acquire(key, $"holder-{writer}", LongTtl, default));
            }).ToList();
            start.SetResult();
            winners[race] = (await Task.WhenAll(takes)).Count(won => won);
        }
        Report("lease takes", races, winners);
        Assert.All(winners, w => Assert.Equal(1, w));
    }

    [Fact]
    public async Task Cancellation_before_any_work_is_an_exception_not_a_store_error()
    {
        var store = CreateStore();
        var key = NewKey();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.Load(key, cancelled.Token).ToEither());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.Swap(key, 0, Holding(NewTokens()), cancelled.Token).ToEither());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.Delete(key, cancelled.Token).ToEither());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.Acquire(key, "one", LongTtl, cancelled.Token).ToEither());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.Release(key, "one", cancelled.Token).ToEither());
        // Nothing was written.
        Assert.Equal(StoredTokens.Nothing, await Expect.Right(store.Load(key, default)));
        Assert.True(await Expect.Right(store.Acquire(key, "two", LongTtl, default)));
    }

    [Fact]
    public async Task Two_token_sources_sharing_the_store_send_one_refresh()
    {
        // Two sources stand for two processes: each has its own single flight, only the store's lease is shared.
        await using var endpoint = await TokenEndpointHost.StartAsync();
        var grants = new RotatingRefreshGrants(TimeSpan.FromMilliseconds(100));
        endpoint.Respond = grants.Respond;
        var config = RotatingRefreshGrants.ConfigFor(endpoint);
        using var http = Http.HttpPort.Create();
        var store = CreateStore();
        var key = NewKey();
        var expired = new TokenSet("at-old", "Bearer", Some(DateTimeOffset.UtcNow.AddHours(-1)), Some(grants.Reset()), None, DateTimeOffset.UtcNow.AddHours(-2));
        Assert.True(await Expect.Right(store.Swap(key, 0, Holding(expired), default)));
        var sources = new[] { new TokenSource(config, Dependencies.System(http), store), new TokenSource(config, Dependencies.System(http), store) };

        using var start = new ManualResetEventSlim();
        var callers = sources.SelectMany(source => Enumerable.Range(0, 100).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await source.Get(key, default).ToEither();
        }))).ToArray();
        start.Set();
        var results = await Task.WhenAll(callers);

        Assert.All(results, r => Assert.True(r.IsRight, r.ToString()));
        Assert.Equal(new[] { grants.LastAccessToken }, results.Select(r => Expect.Right(r).AccessToken).Distinct());
        Assert.Equal((1, 0, 0), (grants.Refreshes, grants.Reuses, grants.Unknown));
        Assert.Equal(1, sources.Sum(s => s.Refreshes));
    }
}
