using LanguageExt;
using Microsoft.Data.Sqlite;
using static LanguageExt.Prelude;

namespace Pkce.Stores.Sqlite;

/// <summary>
/// Pending authorizations in one SQLite file, created on first use, schema versioned with <c>PRAGMA user_version</c>.
/// A take reads and erases the entry in one <c>BEGIN IMMEDIATE</c> transaction, under SQLite's write lock, so of
/// concurrent takes of one state exactly one gets the entry; the row stays without its secrets as a tombstone until
/// its expiry, so a replay is told apart from an unknown state. Writes are acknowledged only once
/// committed with <c>synchronous=FULL</c>. Every SQLite failure becomes a <see cref="PkceError.StoreFailure"/>.
/// <para>
/// The file holds verifiers, so only its owner may read it: on Unix the store creates it with mode 0600 before SQLite
/// opens it (SQLite gives the journals it creates beside a file that file's mode), and tightens an existing file that
/// grants its group or others any access to 0600; if it cannot, every call is a <see cref="PkceError.StoreFailure"/>.
/// </para>
/// <para>
/// A taken or swept verifier leaves no copy in any file of the store. Every connection sets
/// <c>PRAGMA secure_delete = ON</c> (SQLite: "When secure_delete is on, SQLite overwrites deleted content with
/// zeros"), and the journal is SQLite's rollback journal in <c>DELETE</c> mode, which holds the old page images of
/// one transaction and is deleted when it commits. Write-ahead logging is not used: a <c>-wal</c> file keeps the
/// frames of past transactions, verifiers included, after they are checkpointed, until later frames happen to
/// overwrite them. A file left in WAL mode is converted on first use (which needs no other connection to it; until
/// then, calls are store failures). Blocks the file system frees when a journal is deleted are beyond the store's reach.
/// </para>
/// </summary>
public sealed class SqlitePendingStore
{
    /// <summary>The schema this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _path;
    private readonly string _connectionString;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _preparing = new(1, 1);
    private bool _ready;
    private long _nextSweepTicks;

    /// <summary>A store in the file at <paramref name="path"/>, with expiry judged by <paramref name="clock"/>.</summary>
    public SqlitePendingStore(string path, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    /// <summary>A store in the file at <paramref name="path"/> on the system clock.</summary>
    public SqlitePendingStore(string path) : this(path, TimeProvider.System) { }

    /// <summary>The store's two ports.</summary>
    public PendingStore Ports => new(Save, Take);

    /// <summary>Implements <see cref="SavePending"/>.</summary>
    public EitherAsync<PkceError, Unit> Save(PendingAuthorization pending, CancellationToken cancellationToken) =>
        Run(async connection =>
        {
            await SweepIfDueAsync(connection, cancellationToken);
            await using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO pending (state, payload, expires_at) VALUES ($state, $payload, $expires) ON CONFLICT(state) DO NOTHING";
            insert.Parameters.AddWithValue("$state", pending.State.Value);
            insert.Parameters.AddWithValue("$payload", PendingCodec.Encode(pending));
            insert.Parameters.AddWithValue("$expires", pending.ExpiresAt.ToUnixTimeMilliseconds());
            return await insert.ExecuteNonQueryAsync(cancellationToken) == 1
                ? Right<PkceError, Unit>(unit)
                : Left<PkceError, Unit>(new PkceError.StoreFailure("a pending authorization with this state already exists"));
        }, cancellationToken);

    /// <summary>Implements <see cref="TakePending"/>.</summary>
    public EitherAsync<PkceError, PendingAuthorization> Take(State state, CancellationToken cancellationToken) =>
        Run(async connection =>
        {
            // BEGIN IMMEDIATE takes the write lock first: the read and the erase below are one atomic step.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var read = connection.CreateCommand();
            read.CommandText = "SELECT payload, expires_at FROM pending WHERE state = $state";
            read.Parameters.AddWithValue("$state", state.Value);
            string? payload;
            long expires;
            await using (var row = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (!await row.ReadAsync(cancellationToken)) return Left<PkceError, PendingAuthorization>(new PkceError.StateUnknown());
                if (row.IsDBNull(0)) return Left<PkceError, PendingAuthorization>(new PkceError.StateReplayed());
                (payload, expires) = (row.GetString(0), row.GetInt64(1));
            }
            await using var erase = connection.CreateCommand();
            erase.CommandText = "UPDATE pending SET payload = NULL WHERE state = $state";
            erase.Parameters.AddWithValue("$state", state.Value);
            await erase.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expires);
            return _clock.GetUtcNow() >= expiresAt
                ? Left<PkceError, PendingAuthorization>(new PkceError.StateExpired(expiresAt))
                : PendingCodec.Decode(payload);
        }, cancellationToken);

    /// <summary>Number of entries not yet taken nor expired.</summary>
    public EitherAsync<PkceError, long> PendingCount(CancellationToken cancellationToken) =>
        Run(async connection =>
        {
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM pending WHERE payload IS NOT NULL AND expires_at > $now";
            count.Parameters.AddWithValue("$now", _clock.GetUtcNow().ToUnixTimeMilliseconds());
            return Right<PkceError, long>((long)(await count.ExecuteScalarAsync(cancellationToken))!);
        }, cancellationToken);

    /// <summary>Prepares the file once, opens a connection, runs <paramref name="work"/>, and types every failure.</summary>
    private EitherAsync<PkceError, T> Run<T>(Func<SqliteConnection, Task<Either<PkceError, T>>> work, CancellationToken cancellationToken) =>
        RunAsync(work, cancellationToken).ToAsync();

    private async Task<Either<PkceError, T>> RunAsync<T>(Func<SqliteConnection, Task<Either<PkceError, T>>> work, CancellationToken cancellationToken)
    {
        try
        {
            var ready = await EnsureReadyAsync(cancellationToken);
            if (ready.IsLeft) return ready.Map(_ => default(T)!);
            await using var connection = await OpenAsync(cancellationToken);
            return await work(connection);
        }
        catch (SqliteException e)
        {
            // SQLite's messages name the file and the failure, never a value bound to a parameter.
            return new PkceError.StoreFailure($"SQLite error {e.SqliteErrorCode}: {e.Message}");
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var pragmas = connection.CreateCommand();
            // Per connection: SQLite keeps these for the connection only (the journal mode is set once, below).
            pragmas.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000; PRAGMA secure_delete = ON;";
            await pragmas.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Once per store: a private file, the rollback journal, and the schema.</summary>
    private async Task<Either<PkceError, Unit>> EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _ready)) return unit;
        await _preparing.WaitAsync(cancellationToken);
        try
        {
            if (_ready) return unit;
            var file = PrepareFile();
            if (file.IsLeft) return file;
            await using var connection = await OpenAsync(cancellationToken);
            await using (var journal = connection.CreateCommand())
            {
                // DELETE is the default of a file not in WAL mode; setting it converts a file left in WAL mode.
                journal.CommandText = "PRAGMA journal_mode = DELETE";
                var mode = Convert.ToString(await journal.ExecuteScalarAsync(cancellationToken));
                if (!string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase))
                    return new PkceError.StoreFailure(
                        $"the file stays in journal mode {mode} while another connection uses it; this store needs the rollback journal (DELETE), which keeps no taken secret");
            }
            await using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA user_version";
            var current = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken));
            if (current > SchemaVersion)
                return new PkceError.StoreFailure($"the file has schema version {current}; this code knows up to {SchemaVersion}");
            if (current < 1)
            {
                await using var create = connection.CreateCommand();
                create.CommandText =
                    "BEGIN IMMEDIATE;" +
                    "CREATE TABLE IF NOT EXISTS pending (state TEXT PRIMARY KEY NOT NULL, payload TEXT, expires_at INTEGER NOT NULL) WITHOUT ROWID;" +
                    "CREATE INDEX IF NOT EXISTS pending_expiry ON pending (expires_at);" +
                    $"PRAGMA user_version = {SchemaVersion};" +
                    "COMMIT;";
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            _ready = true;
            return unit;
        }
        finally
        {
            _preparing.Release();
        }
    }

    /// <summary>
    /// On Unix, creates the file with mode 0600 before SQLite would create it with the umask's mode, or takes every
    /// group and other permission off an existing file. On Windows the file inherits its directory's access list.
    /// </summary>
    private Either<PkceError, Unit> PrepareFile()
    {
        if (OperatingSystem.IsWindows()) return unit;
        try
        {
            // Through one handle: the file whose mode is checked and changed is the file that was opened or created.
            using var file = new FileStream(_path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = OwnerOnly,
            });
            if ((File.GetUnixFileMode(file.SafeFileHandle) & GroupOrOther) != 0)
                File.SetUnixFileMode(file.SafeFileHandle, OwnerOnly);
            return unit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PkceError.StoreFailure($"unable to open database file with owner-only access: {e.Message}");
        }
    }

    /// <summary>Deletes expired rows (tombstones included) at most once a minute, on writes.</summary>
    private async Task SweepIfDueAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks, due) != due) return;
        await using var sweep = connection.CreateCommand();
        sweep.CommandText = "DELETE FROM pending WHERE expires_at <= $now";
        sweep.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        await sweep.ExecuteNonQueryAsync(cancellationToken);
    }
}
