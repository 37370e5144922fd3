using Microsoft.Data.Sqlite;
using Pkce.Stores.Sqlite;

namespace Pkce.Integration.Stores;

/// <summary>What only a file can do wrong: survive restarts, refuse bad files with a typed error.</summary>
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

    private static PendingAuthorization NewPending() =>
        PendingAuthorization.For(Config, Secrets.Generate(), UserKey.From("u").IfLeft(_ => null!), DateTimeOffset.UtcNow);


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
}
