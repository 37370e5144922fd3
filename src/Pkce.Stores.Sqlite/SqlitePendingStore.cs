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
/// The file holds verifiers: it is private to its owner, and a taken or swept verifier leaves no copy in any file of
/// the store (secure delete, rollback journal); see <see cref="SqliteFile"/>. The file may be shared with a
/// <see cref="SqliteTokenStore"/>, which keeps its own tables and leaves <c>user_version</c> to this store.
/// </para>
/// </summary>
public sealed class SqlitePendingStore
{
    /// <summary>The schema this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    /// <summary>The range of <see cref="DateTimeOffset.FromUnixTimeMilliseconds"/>: 0001-01-01 to 9999-12-31.</summary>
    private static readonly long MinUnixMilliseconds = DateTimeOffset.MinValue.ToUnixTimeMilliseconds(), MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private readonly SqliteFile _file;
    private readonly TimeProvider _clock;
    private long _nextSweepTicks;

    /// <summary>A store in the file at <paramref name="path"/>, with expiry judged by <paramref name="clock"/>.</summary>
    public SqlitePendingStore(string path, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _file = new SqliteFile(path, PrepareSchemaAsync);
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
            // The entry is consumed either way; a stored expiry no instant can have (a corrupt or tampered row) is a
            // store failure, as a corrupt payload is, never the exception of FromUnixTimeMilliseconds.
            if (expires < MinUnixMilliseconds || expires > MaxUnixMilliseconds)
                return Left<PkceError, PendingAuthorization>(new PkceError.StoreFailure("stored entry is corrupt: its expiry is out of range"));
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

    private EitherAsync<PkceError, T> Run<T>(Func<SqliteConnection, Task<Either<PkceError, T>>> work, CancellationToken cancellationToken) =>
        _file.Run(work, cancellationToken);

    /// <summary>Creates the table on first use of a file; refuses a file of a newer schema.</summary>
    private static async Task<Either<PkceError, Unit>> PrepareSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
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
        return unit;
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
