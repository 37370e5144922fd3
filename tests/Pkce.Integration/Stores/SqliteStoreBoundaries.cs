using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Pkce.Stores.Sqlite;

namespace Pkce.Integration.Stores;

/// <summary>
/// The edges of the SQLite stores: the instant an entry expires and a lease lapses, the sweep's minute, the arguments
/// refused at the door, and what the store does to a file it opens (and leaves alone).
/// </summary>
public sealed class SqliteStoreBoundaries : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-sqlite-edges-").FullName;

    private static readonly PkceConfig Config = Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "c", RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "https://as.example/authorize", TokenEndpoint = "https://as.example/token",
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    private static readonly TokenKey Key = new(UserKey.From("alice").IfLeft(_ => null!), "api", "read");

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A clock on a whole millisecond, as the stores keep instants: stored and judged instants can be equal.</summary>
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string FilePath(string name) => Path.Combine(_directory, name);

    private PendingAuthorization Pending(TimeSpan lifetime)
    {
        var now = _clock.GetUtcNow();
        return PendingAuthorization.For(Config, Secrets.Generate(), UserKey.From("u").IfLeft(_ => null!), now) with { ExpiresAt = now + lifetime };
    }

    private static StoredTokens Tokens() =>
        new(0, Some(new TokenSet("at-" + Guid.NewGuid().ToString("N"), "Bearer", None, None, None, DateTimeOffset.UnixEpoch)), None);

    private static async Task<object?> ScalarAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    /// <summary>The descriptors of this process open on <paramref name="path"/> (Linux: /proc/self/fd).</summary>
    private static int OpenDescriptorsOn(string path)
    {
        Assert.True(Directory.Exists("/proc/self/fd"), "the test reads /proc/self/fd (Linux)");
        var full = Path.GetFullPath(path);
        return new DirectoryInfo("/proc/self/fd").GetFileSystemInfos().Count(fd =>
        {
            try { return fd.LinkTarget == full; }
            catch (IOException) { return false; } // closed between the listing and the read
            catch (UnauthorizedAccessException) { return false; }
        });
    }


    [Fact]
    public void An_empty_or_missing_path_is_refused_when_the_store_is_made()
    {
        Assert.Throws<ArgumentException>(() => new SqlitePendingStore("", TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new SqlitePendingStore(null!, TimeProvider.System));
        Assert.Throws<ArgumentException>(() => new SqliteTokenStore("", TimeProvider.System));
        Assert.Throws<ArgumentNullException>(() => new SqliteTokenStore(null!, TimeProvider.System));
    }

    [Fact]
    public void A_null_swap_value_or_an_empty_holder_is_refused_before_the_file_is_touched()
    {
        var path = FilePath("arguments.db");
        var store = new SqliteTokenStore(path, _clock);
        Assert.Throws<ArgumentNullException>(() => store.Swap(Key, 0, null!, default));
        Assert.Throws<ArgumentException>(() => store.Acquire(Key, "", TimeSpan.FromMinutes(1), default));
        Assert.Throws<ArgumentNullException>(() => store.Acquire(Key, null!, TimeSpan.FromMinutes(1), default));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task A_pending_entry_is_returned_until_the_millisecond_before_its_expiry_and_expired_from_that_instant()
    {
        var store = new SqlitePendingStore(FilePath("expiry.db"), _clock);
        var early = Pending(TimeSpan.FromSeconds(10));
        var late = Pending(TimeSpan.FromSeconds(10));
        await Expect.Right(store.Save(early, default));
        await Expect.Right(store.Save(late, default));

        _clock.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(early, await Expect.Right(store.Take(early.State, default)));
        _clock.Advance(TimeSpan.FromMilliseconds(1)); // now == expires_at
        var expired = Assert.IsType<PkceError.StateExpired>(await Expect.Left(store.Take(late.State, default)));
        Assert.Equal(late.ExpiresAt, expired.ExpiredAt);
    }

    [Fact]
    public async Task A_second_save_of_a_state_is_refused_with_its_reason()
    {
        var store = new SqlitePendingStore(FilePath("twice.db"), _clock);
        var pending = Pending(TimeSpan.FromMinutes(5));
        await Expect.Right(store.Save(pending, default));
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(pending, default)));
        Assert.Equal("a pending authorization with this state already exists", error.Reason);
    }

    [Fact]
    public async Task Expired_rows_are_swept_by_the_first_save_a_minute_or_more_after_the_last_sweep_and_not_before()
    {
        var store = new SqlitePendingStore(FilePath("sweep.db"), _clock);
        var shortLived = Pending(TimeSpan.FromSeconds(10));
        await Expect.Right(store.Save(shortLived, default)); // sweeps (nothing) now; the next sweep is due in a minute

        _clock.Advance(TimeSpan.FromSeconds(30));
        await Expect.Right(store.Save(Pending(TimeSpan.FromMinutes(5)), default)); // not due: the expired row stays
        Assert.IsType<PkceError.StateExpired>(await Expect.Left(store.Take(shortLived.State, default)));
        Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(shortLived.State, default))); // its tombstone

        _clock.Advance(TimeSpan.FromSeconds(30)); // exactly a minute after the first sweep
        await Expect.Right(store.Save(Pending(TimeSpan.FromMinutes(5)), default));
        Assert.IsType<PkceError.StateUnknown>(await Expect.Left(store.Take(shortLived.State, default))); // swept, tombstone too
    }

    [Fact]
    public async Task A_new_file_gets_the_expiry_index_the_sweep_uses()
    {
        var path = FilePath("index.db");
        await Expect.Right(new SqlitePendingStore(path, _clock).Save(Pending(TimeSpan.FromMinutes(5)), default));
        Assert.Equal("expires_at", await ScalarAsync(path, "SELECT name FROM pragma_index_info('pending_expiry')"));
    }

    [Fact]
    public async Task A_file_at_the_current_schema_version_is_used_as_it_is_and_not_altered()
    {
        var path = FilePath("current.db");
        // Version 1's table without its index: a store that re-ran its creation script on this file would add the index.
        await ScalarAsync(path,
            "CREATE TABLE pending (state TEXT PRIMARY KEY NOT NULL, payload TEXT, expires_at INTEGER NOT NULL) WITHOUT ROWID;" +
            $"PRAGMA user_version = {SqlitePendingStore.SchemaVersion};");
        var store = new SqlitePendingStore(path, _clock);
        var pending = Pending(TimeSpan.FromMinutes(5));
        await Expect.Right(store.Save(pending, default));
        Assert.Equal(pending, await Expect.Right(store.Take(pending.State, default)));
        Assert.Equal(0L, await ScalarAsync(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'pending_expiry'"));
    }

    [Fact]
    public async Task The_file_is_prepared_once_per_store_object_not_on_every_call()
    {
        var path = FilePath("once.db");
        var store = new SqlitePendingStore(path, _clock);
        await Expect.Right(store.Save(Pending(TimeSpan.FromMinutes(5)), default));
        // A newer schema written behind the store's back: only a new store object reads the version again.
        await ScalarAsync(path, "PRAGMA user_version = 99");
        await Expect.Right(store.Save(Pending(TimeSpan.FromMinutes(5)), default));
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new SqlitePendingStore(path, _clock).Save(Pending(TimeSpan.FromMinutes(5)), default)));
        Assert.Contains("schema version 99", error.Reason);
    }

    [Fact]
    public async Task A_lease_is_held_until_the_millisecond_before_its_end_and_free_from_that_instant()
    {
        var store = new SqliteTokenStore(FilePath("lease.db"), _clock);
        Assert.True(await Expect.Right(store.Acquire(Key, "one", TimeSpan.FromSeconds(30), default)));
        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        Assert.False(await Expect.Right(store.Acquire(Key, "two", TimeSpan.FromSeconds(30), default)));
        _clock.Advance(TimeSpan.FromMilliseconds(1)); // now == until
        Assert.True(await Expect.Right(store.Acquire(Key, "two", TimeSpan.FromSeconds(30), default)));
    }

    [Fact]
    public async Task An_in_memory_database_has_no_rollback_journal_and_is_refused_with_the_reason()
    {
        // SQLite opens ":memory:" in memory, whose journal mode is "memory"; the store's own handle (for the file mode)
        // creates an empty file of that name in the working directory, removed here.
        var stray = Path.GetFullPath(":memory:");
        var existed = File.Exists(stray);
        try
        {
            var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new SqliteTokenStore(":memory:", _clock).Load(Key, default)));
            Assert.Equal(
                "the database keeps journal mode memory; this store needs a file with the rollback journal (DELETE), which keeps no erased secret",
                error.Reason);
        }
        finally
        {
            if (!existed) File.Delete(stray);
        }
    }

    [Fact, UnsupportedOSPlatform("windows")] // flock-style sharing is how .NET emulates FileShare on Unix
    public async Task A_file_another_handle_reads_with_shared_access_is_opened_all_the_same()
    {
        var path = FilePath("shared-read.db");
        await Expect.Right(new SqliteTokenStore(path, _clock).Swap(Key, 0, Tokens(), default));
        SqliteConnection.ClearAllPools();
        // A backup tool reading the file, sharing it as the store's own handle does.
        await using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Assert.Equal(1L, (await Expect.Right(new SqliteTokenStore(path, _clock).Load(Key, default))).Version);
    }

    [Fact, UnsupportedOSPlatform("windows")] // file modes are Unix permission bits
    public async Task A_file_only_its_owner_may_use_keeps_the_mode_its_owner_gave_it()
    {
        var path = FilePath("owner-mode.db");
        await Expect.Right(new SqliteTokenStore(path, _clock).Swap(Key, 0, Tokens(), default));
        SqliteConnection.ClearAllPools();
        const UnixFileMode ownerAll = OwnerOnly | UnixFileMode.UserExecute;
        File.SetUnixFileMode(path, ownerAll);
        Assert.Equal(1L, (await Expect.Right(new SqliteTokenStore(path, _clock).Load(Key, default))).Version);
        Assert.Equal(ownerAll, File.GetUnixFileMode(path));
    }

    [Fact, UnsupportedOSPlatform("windows")] // reads /proc
    public async Task A_connection_whose_setup_fails_is_closed_not_leaked()
    {
        var path = FilePath("corrupt.db");
        await File.WriteAllTextAsync(path, new string('x', 4096));
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new SqliteTokenStore(path, _clock).Load(Key, default)));
        SqliteConnection.ClearAllPools(); // closes what the pool keeps; a connection never disposed stays open
        Assert.Equal(0, OpenDescriptorsOn(path));
    }
}
