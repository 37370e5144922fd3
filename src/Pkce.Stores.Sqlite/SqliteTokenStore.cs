using LanguageExt;
using Microsoft.Data.Sqlite;
using static LanguageExt.Prelude;

namespace Pkce.Stores.Sqlite;

/// <summary>
/// Tokens in one SQLite file, for a <see cref="TokenSource"/> that must keep them across restarts, or share them
/// between processes on one machine. One row per <see cref="TokenKey"/> holds the version and the
/// <see cref="TokenCodec"/> text; a swap checks the version and writes in one <c>BEGIN IMMEDIATE</c> transaction,
/// under SQLite's write lock, so of concurrent swaps from one version exactly one is written. The refresh lease is a
/// row (holder, until) taken in one such transaction; whether it has lapsed is judged by the store's
/// <see cref="TimeProvider"/>, so processes sharing a file need clocks that agree (one machine's do). Every SQLite
/// failure becomes a <see cref="PkceError.StoreFailure"/>; a cancelled caller gets an
/// <see cref="OperationCanceledException"/> before anything is read or written.
/// <para>
/// The tokens are secrets: the file is private to its owner, and tokens that are replaced or deleted leave no copy in
/// any file of the store (secure delete, rollback journal); see <see cref="SqliteFile"/>.
/// </para>
/// <para>
/// Rows are keyed by <see cref="TokenKey.Id"/>, not by the text of the key: SQLite stores text as UTF-8, which would
/// merge keys that differ only in lone surrogates.
/// </para>
/// <para>
/// Schema: the tables <c>tokens</c> and <c>token_leases</c>, created if missing, and their version in a row of
/// <c>store_schema</c> (<c>'tokens'</c>, <see cref="SchemaVersion"/>); a file whose row is newer is refused.
/// <c>PRAGMA user_version</c> is left to <see cref="SqlitePendingStore"/>, so both stores can share one file, in
/// either order, and each versions its own tables.
/// </para>
/// </summary>
public sealed class SqliteTokenStore
{
    /// <summary>The schema of the token tables this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    private readonly SqliteFile _file;
    private readonly TimeProvider _clock;

    /// <summary>A store in the file at <paramref name="path"/>, with leases judged by <paramref name="clock"/>.</summary>
    public SqliteTokenStore(string path, TimeProvider clock)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _file = new SqliteFile(path, PrepareSchemaAsync);
    }

    /// <summary>A store in the file at <paramref name="path"/> on the system clock.</summary>
    public SqliteTokenStore(string path) : this(path, TimeProvider.System) { }

    /// <summary>The store's ports.</summary>
    public TokenStore Ports => new(Load, Swap, Delete, Acquire, Release);

    /// <summary>Implements <see cref="LoadTokens"/>.</summary>
    public EitherAsync<PkceError, StoredTokens> Load(TokenKey key, CancellationToken cancellationToken) =>
        _file.Run(async connection =>
        {
            await using var read = Command(connection, "SELECT version, payload FROM tokens WHERE key = $key", ("$key", key.Id));
            await using var row = await read.ExecuteReaderAsync(cancellationToken);
            return await row.ReadAsync(cancellationToken)
                ? TokenCodec.Decode(row.GetInt64(0), row.GetString(1))
                : StoredTokens.Nothing;
        }, cancellationToken);

    /// <summary>Implements <see cref="SwapTokens"/>.</summary>
    public EitherAsync<PkceError, bool> Swap(TokenKey key, long expectedVersion, StoredTokens next, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        return _file.Run(async connection =>
        {
            // BEGIN IMMEDIATE takes the write lock first: the version check and the write below are one atomic step.
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var read = Command(connection, "SELECT version FROM tokens WHERE key = $key", ("$key", key.Id));
            var current = await read.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
            if (current != expectedVersion) return false;
            await using var write = Command(connection,
                current == 0
                    ? "INSERT INTO tokens (key, version, payload) VALUES ($key, $version, $payload)"
                    : "UPDATE tokens SET version = $version, payload = $payload WHERE key = $key",
                ("$key", key.Id), ("$version", expectedVersion + 1), ("$payload", TokenCodec.Encode(next)));
            await write.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Right<PkceError, bool>(true);
        }, cancellationToken);
    }

    /// <summary>Implements <see cref="DeleteTokens"/>: the row is erased (secure delete), and the key's version starts again at 0.</summary>
    public EitherAsync<PkceError, Unit> Delete(TokenKey key, CancellationToken cancellationToken) =>
        _file.Run(async connection =>
        {
            await using var delete = Command(connection, "DELETE FROM tokens WHERE key = $key", ("$key", key.Id));
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return Right<PkceError, Unit>(unit);
        }, cancellationToken);

    /// <summary>Implements <see cref="AcquireLease"/>: taken if nobody holds it, its holder lapsed, or <paramref name="holder"/> holds it already (then extended).</summary>
    public EitherAsync<PkceError, bool> Acquire(TokenKey key, string holder, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(holder);
        return _file.Run(async connection =>
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var now = _clock.GetUtcNow();
            await using var read = Command(connection, "SELECT holder, until FROM token_leases WHERE key = $key", ("$key", key.Id));
            await using (var row = await read.ExecuteReaderAsync(cancellationToken))
            {
                if (await row.ReadAsync(cancellationToken) && row.GetInt64(1) > now.ToUnixTimeMilliseconds() && row.GetString(0) != holder)
                    return false;
            }
            await using var write = Command(connection,
                "INSERT INTO token_leases (key, holder, until) VALUES ($key, $holder, $until) " +
                "ON CONFLICT(key) DO UPDATE SET holder = excluded.holder, until = excluded.until",
                ("$key", key.Id), ("$holder", holder), ("$until", (now + ttl).ToUnixTimeMilliseconds()));
            await write.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Right<PkceError, bool>(true);
        }, cancellationToken);
    }

    /// <summary>Implements <see cref="ReleaseLease"/>: one statement, which deletes the row only if <paramref name="holder"/> holds it.</summary>
    public EitherAsync<PkceError, Unit> Release(TokenKey key, string holder, CancellationToken cancellationToken) =>
        _file.Run(async connection =>
        {
            await using var delete = Command(connection, "DELETE FROM token_leases WHERE key = $key AND holder = $holder", ("$key", key.Id), ("$holder", holder));
            await delete.ExecuteNonQueryAsync(cancellationToken);
            return Right<PkceError, Unit>(unit);
        }, cancellationToken);

    private static SqliteCommand Command(SqliteConnection connection, string text, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }

    /// <summary>Creates the token tables if missing and records their version; refuses a file whose token tables are newer.</summary>
    private static async Task<Either<PkceError, Unit>> PrepareSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var create = Command(connection,
            "CREATE TABLE IF NOT EXISTS store_schema (component TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL);" +
            $"INSERT INTO store_schema (component, version) VALUES ('tokens', {SchemaVersion}) ON CONFLICT(component) DO NOTHING;" +
            "CREATE TABLE IF NOT EXISTS tokens (key TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL, payload TEXT NOT NULL);" +
            "CREATE TABLE IF NOT EXISTS token_leases (key TEXT PRIMARY KEY NOT NULL, holder TEXT NOT NULL, until INTEGER NOT NULL);" +
            "SELECT version FROM store_schema WHERE component = 'tokens';");
        var version = Convert.ToInt64(await create.ExecuteScalarAsync(cancellationToken));
        if (version > SchemaVersion)
            return new PkceError.StoreFailure($"the file's token tables have schema version {version}; this code knows up to {SchemaVersion}");
        await transaction.CommitAsync(cancellationToken);
        return unit;
    }
}
