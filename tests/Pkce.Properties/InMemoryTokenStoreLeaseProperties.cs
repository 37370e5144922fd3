namespace Pkce.Properties;

/// <summary>
/// <see cref="InMemoryTokenStore"/>: a lease belongs to its holder until it lapses (exactly at its end, on the store's
/// monotonic clock), only its holder gives it back, a delete forgets, and a cancelled call does nothing.
/// </summary>
public class InMemoryTokenStoreLeaseProperties
{
    private static readonly TokenKey Key = new(Support.User("alice"), "https://api.example", "read");

    private static bool Acquire(InMemoryTokenStore store, string holder, TimeSpan ttl) =>
        Support.Right(Support.Run(store.Acquire(Key, holder, ttl, CancellationToken.None)));

    private static void Release(InMemoryTokenStore store, string holder) => Support.Right(Support.Run(store.Release(Key, holder, CancellationToken.None)));

    private static readonly StoredTokens Tokens = new(0, Some(new TokenSet("at", "Bearer", None, None, None, DateTimeOffset.UnixEpoch)), None);

    [Fact]
    public void ALeaseLapsesExactlyAtItsEnd()
    {
        var clock = Support.Clock();
        var store = new InMemoryTokenStore(clock);
        Assert.True(Acquire(store, "a", TimeSpan.FromSeconds(10)));
        clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.False(Acquire(store, "b", TimeSpan.FromSeconds(10)));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(Acquire(store, "b", TimeSpan.FromSeconds(10)));
        Assert.False(Acquire(store, "a", TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void OnlyTheHolderGivesALeaseBack()
    {
        var store = new InMemoryTokenStore(Support.Clock());
        Assert.True(Acquire(store, "a", TimeSpan.FromMinutes(1)));
        Release(store, "b");
        Assert.False(Acquire(store, "b", TimeSpan.FromMinutes(1)));
        Release(store, "a");
        Assert.True(Acquire(store, "b", TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ASwapOfAnotherVersionWritesNothingAndDeleteForgets()
    {
        var store = new InMemoryTokenStore(Support.Clock());
        Assert.True(Support.Right(Support.Run(store.Swap(Key, 0, Tokens, CancellationToken.None))));
        Assert.False(Support.Right(Support.Run(store.Swap(Key, 0, Tokens, CancellationToken.None))));
        Assert.Equal(1, Support.Right(Support.Run(store.Load(Key, CancellationToken.None))).Version);
        Support.Right(Support.Run(store.Delete(Key, CancellationToken.None)));
        Assert.Equal(StoredTokens.Nothing, Support.Right(Support.Run(store.Load(Key, CancellationToken.None))));
    }

    [Fact]
    public void ACancelledCallThrowsAndChangesNothing()
    {
        var store = new InMemoryTokenStore(Support.Clock());
        Assert.True(Support.Right(Support.Run(store.Swap(Key, 0, Tokens, CancellationToken.None))));
        Assert.True(Acquire(store, "a", TimeSpan.FromMinutes(1)));
        var cancelled = new CancellationToken(canceled: true);
        Assert.Throws<OperationCanceledException>(() => store.Load(Key, cancelled));
        Assert.Throws<OperationCanceledException>(() => store.Swap(Key, 1, Tokens, cancelled));
        Assert.Throws<OperationCanceledException>(() => store.Delete(Key, cancelled));
        Assert.Throws<OperationCanceledException>(() => store.Acquire(Key, "b", TimeSpan.FromMinutes(1), cancelled));
        Assert.Throws<OperationCanceledException>(() => store.Release(Key, "a", cancelled));
        Assert.Equal(1, Support.Right(Support.Run(store.Load(Key, CancellationToken.None))).Version);
        Assert.False(Acquire(store, "b", TimeSpan.FromMinutes(1)));
    }
}
