using System.Runtime.Versioning;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Pkce.Stores.Sqlite;

namespace Pkce.Integration.Stores;

/// <summary>What only a file can do wrong: survive restarts, refuse bad files with a typed error, leak secrets.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-sqlite-").FullName;
    private static readonly PkceConfig Config = Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "c", RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "https://as.example/authorize", TokenEndpoint = "https://as.example/token",
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string FilePath(string name) => Path.Combine(_directory, name);

    private static PendingAuthorization NewPending() => NewPending(DateTimeOffset.UtcNow);

    private static PendingAuthorization NewPending(DateTimeOffset now) =>
        PendingAuthorization.For(Config, Secrets.Generate(), UserKey.From("u").IfLeft(_ => null!), now);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The database file and every file SQLite keeps beside it (<c>-wal</c>, <c>-shm</c>, <c>-journal</c>).</summary>
    private string[] StoreFiles(string name) =>
        Directory.GetFiles(_directory).Where(f => Path.GetFileName(f).StartsWith(name, StringComparison.Ordinal)).ToArray();

    /// <summary>The files of the store whose raw bytes hold <paramref name="secret"/>.</summary>
    private string[] FilesHolding(string name, string secret) =>
        StoreFiles(name).Where(file =>
        {
            // SQLite locks with fcntl, .NET with flock: reading beside open connections blocks neither.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            return bytes.ToArray().AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0;
        }).Select(Path.GetFileName).ToArray()!;


    [Fact]
    public async Task An_acknowledged_entry_survives_a_restart_of_the_application()
    {
        var path = FilePath("restart.db");
        var pending = NewPending();
        Assert.True((await new SqlitePendingStore(path).Save(pending, default).ToEither()).IsRight);
        SqliteConnection.ClearAllPools(); // as when the process ends
        var reopened = new SqlitePendingStore(path);
        Assert.Equal(pending, (await reopened.Take(pending.State, default).ToEither()).IfLeft(_ => null!));
        Assert.Equal(0L, (await reopened.PendingCount(default).ToEither()).IfLeft(-1));
    }

    [Fact]
    public async Task The_file_is_created_on_first_use_with_a_schema_version()
    {
        var path = FilePath("new.db");
        Assert.False(File.Exists(path));
        await new SqlitePendingStore(path).Save(NewPending(), default).ToEither();
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        Assert.Equal((long)SqlitePendingStore.SchemaVersion, await version.ExecuteScalarAsync());
    }

    [Fact]
    public async Task An_unwritable_location_is_a_store_failure()
    {
        var store = new SqlitePendingStore(FilePath("missing-directory/pending.db"));
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(NewPending(), default)));
        Assert.Contains("unable to open database file", error.Reason);
    }

    [Fact]
    public async Task A_corrupt_file_is_a_store_failure_and_no_secret_is_in_the_message()
    {
        var path = FilePath("corrupt.db");
        await File.WriteAllTextAsync(path, new string('x', 4096));
        var pending = NewPending();
        var store = new SqlitePendingStore(path);
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Save(pending, default)));
        Assert.Contains("file is not a database", error.Reason);
        Assert.DoesNotContain(pending.Verifier.Value, error.ToString());
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Take(pending.State, default)));
    }

    [Fact]
    public async Task A_file_from_a_newer_version_is_refused()
    {
        var path = FilePath("future.db");
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var bump = connection.CreateCommand();
            bump.CommandText = "PRAGMA user_version = 99";
            await bump.ExecuteNonQueryAsync();
        }
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new SqlitePendingStore(path).Save(NewPending(), default)));
        Assert.Contains("schema version 99", error.Reason);
    }

    [Fact]
    public async Task A_tampered_entry_is_a_store_failure_not_an_exception()
    {
        var path = FilePath("tampered.db");
        var store = new SqlitePendingStore(path);
        var pending = NewPending();
        await store.Save(pending, default).ToEither();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE pending SET payload = replace(payload, '\"verifier\":\"', '\"verifier\":\"x')";
            await tamper.ExecuteNonQueryAsync();
        }
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Take(pending.State, default)));
        Assert.StartsWith("stored entry is corrupt", error.Reason);
    }

    /// <summary>A saved entry whose expires_at column was then set to <paramref name="expiresAt"/> by hand.</summary>
    private async Task<(SqlitePendingStore Store, PendingAuthorization Pending)> PendingWithStoredExpiry(long expiresAt)
    {
        var path = FilePath($"expiry-{expiresAt}.db");
        var store = new SqlitePendingStore(path);
        var pending = NewPending();
        await store.Save(pending, default).ToEither();
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var tamper = connection.CreateCommand();
            tamper.CommandText = "UPDATE pending SET expires_at = $expires";
            tamper.Parameters.AddWithValue("$expires", expiresAt);
            Assert.Equal(1, await tamper.ExecuteNonQueryAsync());
        }
        return (store, pending);
    }

    [Fact]
    public async Task The_first_and_last_instants_a_stored_expiry_can_name_are_read_as_instants()
    {
        // 0001-01-01T00:00:00Z, DateTimeOffset.MinValue: long past, so the entry has expired.
        var (early, first) = await PendingWithStoredExpiry(-62_135_596_800_000L);
        Assert.Equal(DateTimeOffset.MinValue, Assert.IsType<PkceError.StateExpired>(await Expect.Left(early.Take(first.State, default))).ExpiredAt);
        // 9999-12-31T23:59:59.999Z, the last millisecond of DateTimeOffset.MaxValue: still valid, so the entry is returned.
        var (late, last) = await PendingWithStoredExpiry(253_402_300_799_999L);
        Assert.Equal(last.Verifier.Value, (await Expect.Right(late.Take(last.State, default))).Verifier.Value);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    [InlineData(253_402_300_800_000L)] // 10000-01-01, one millisecond past DateTimeOffset.MaxValue
    [InlineData(-62_135_596_800_001L)] // one millisecond before 0001-01-01
    public async Task An_entry_whose_stored_expiry_is_out_of_range_is_a_store_failure_not_an_exception(long expiresAt)
    {
        var (store, pending) = await PendingWithStoredExpiry(expiresAt);
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Take(pending.State, default)));
        Assert.Equal("stored entry is corrupt: its expiry is out of range", error.Reason);
        Assert.DoesNotContain(pending.Verifier.Value, error.ToString());
        // The entry was consumed: its secrets are gone, and another take is a replay.
        Assert.IsType<PkceError.StateReplayed>(await Expect.Left(store.Take(pending.State, default)));
    }

    [Fact, UnsupportedOSPlatform("windows")] // file modes are Unix permission bits
    public async Task The_file_and_its_journal_are_created_readable_and_writable_by_the_owner_only()
    {
        // Precondition: this process's umask lets group and others read what it creates (022), so the test can fail.
        var control = FilePath("control");
        await File.WriteAllTextAsync(control, "");
        Assert.True(File.GetUnixFileMode(control).HasFlag(UnixFileMode.OtherRead), "the test needs umask 022");

        var path = FilePath("private.db");
        await Expect.Right(new SqlitePendingStore(path).Save(NewPending(), default));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));

        // A write in progress: whatever journal SQLite keeps beside the file exists now, and must be private too.
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        await using var write = connection.CreateCommand();
        write.CommandText = "DELETE FROM pending";
        await write.ExecuteNonQueryAsync();
        var files = StoreFiles("private.db");
        Assert.True(files.Length > 1, "no journal beside the file during a write: " + string.Join(", ", files));
        Assert.All(files, file => Assert.True(File.GetUnixFileMode(file) == OwnerOnly, $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}"));
    }

    [Fact, UnsupportedOSPlatform("windows")] // file modes are Unix permission bits
    public async Task An_existing_file_readable_by_others_is_tightened_to_owner_only()
    {
        var path = FilePath("loose.db");
        await Expect.Right(new SqlitePendingStore(path).Save(NewPending(), default));
        SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var pending = NewPending();
        var store = new SqlitePendingStore(path);
        await Expect.Right(store.Save(pending, default));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(path));
        Assert.Equal(pending, await Expect.Right(store.Take(pending.State, default)));
    }

    [Fact]
    public async Task After_a_take_the_verifier_is_in_no_file_of_the_store()
    {
        var store = new SqlitePendingStore(FilePath("erased.db"));
        var pending = NewPending();
        await Expect.Right(store.Save(pending, default));
        Assert.NotEmpty(FilesHolding("erased.db", pending.Verifier.Value)); // the search finds a saved verifier

        await Expect.Right(store.Take(pending.State, default));
        Assert.Empty(FilesHolding("erased.db", pending.Verifier.Value)); // while the application runs
        SqliteConnection.ClearAllPools();
        Assert.Empty(FilesHolding("erased.db", pending.Verifier.Value)); // and once it has closed the file
    }

    [Fact]
    public async Task After_an_expired_entry_is_swept_its_verifier_is_in_no_file_of_the_store()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new SqlitePendingStore(FilePath("swept.db"), clock);
        // Longer than the entry saved after it, which therefore cannot overwrite all of its bytes by chance.
        var expired = NewPending(clock.GetUtcNow()) with { User = UserKey.From(new string('u', 300)).IfLeft(_ => null!) };
        await Expect.Right(store.Save(expired, default));
        Assert.NotEmpty(FilesHolding("swept.db", expired.Verifier.Value));

        clock.Advance(Config.PendingLifetime + TimeSpan.FromMinutes(2)); // past its expiry and the next sweep
        await Expect.Right(store.Save(NewPending(clock.GetUtcNow()), default));
        Assert.Empty(FilesHolding("swept.db", expired.Verifier.Value));
        Assert.IsType<PkceError.StateUnknown>(await Expect.Left(store.Take(expired.State, default))); // swept, not kept
    }

    [Fact]
    public async Task A_file_left_in_WAL_mode_is_converted_and_keeps_its_entries()
    {
        var path = FilePath("wal.db");
        var pending = NewPending();
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var setup = connection.CreateCommand();
            setup.CommandText =
                "PRAGMA journal_mode = WAL;" +
                "CREATE TABLE pending (state TEXT PRIMARY KEY NOT NULL, payload TEXT, expires_at INTEGER NOT NULL) WITHOUT ROWID;" +
                "CREATE INDEX pending_expiry ON pending (expires_at);" +
                "PRAGMA user_version = 1;" +
                "INSERT INTO pending VALUES ($state, $payload, $expires);";
            setup.Parameters.AddWithValue("$state", pending.State.Value);
            setup.Parameters.AddWithValue("$payload", PendingCodec.Encode(pending));
            setup.Parameters.AddWithValue("$expires", pending.ExpiresAt.ToUnixTimeMilliseconds());
            await setup.ExecuteNonQueryAsync();
        }

        var store = new SqlitePendingStore(path);
        Assert.Equal(pending, await Expect.Right(store.Take(pending.State, default)));
        Assert.Empty(FilesHolding("wal.db", pending.Verifier.Value));
        await using var check = new SqliteConnection($"Data Source={path};Pooling=False");
        await check.OpenAsync();
        await using var mode = check.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("delete", await mode.ExecuteScalarAsync());
    }
}
