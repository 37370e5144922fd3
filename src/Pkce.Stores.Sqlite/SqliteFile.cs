using LanguageExt;
using Microsoft.Data.Sqlite;
using static LanguageExt.Prelude;

namespace Pkce.Stores.Sqlite;

/// <summary>
/// One SQLite file holding secrets, as every store of this package opens it: private to its owner, erasing what is
/// deleted, with a journal that keeps nothing after a commit, and its schema prepared once per store object.
/// Every <see cref="SqliteException"/> becomes a <see cref="PkceError.StoreFailure"/>; a cancelled caller is told so
/// (<see cref="OperationCanceledException"/>) before anything is read or written.
/// <para>
/// On Unix the file is created with mode 0600 before SQLite opens it (SQLite gives the journals it creates beside a
/// file that file's mode), and an existing file that grants its group or others any access is tightened to 0600; if
/// that fails, every call is a store failure. Every connection sets <c>PRAGMA secure_delete = ON</c> (SQLite: "When
/// secure_delete is on, SQLite overwrites deleted content with zeros"), and the journal is SQLite's rollback journal
/// in <c>DELETE</c> mode, which holds the old page images of one transaction and is deleted when it commits.
/// Write-ahead logging is not used: a <c>-wal</c> file keeps the frames of past transactions after they are
/// checkpointed, until later frames happen to overwrite them. A file left in WAL mode is converted on first use
/// (which needs no other connection to it; until then, calls are store failures). Blocks the file system frees when
/// a journal is deleted are beyond reach.
/// </para>
/// </summary>
internal sealed class SqliteFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _path;
    private readonly string _connectionString;
    private readonly Func<SqliteConnection, CancellationToken, Task<Either<PkceError, Unit>>> _prepareSchema;
    private readonly SemaphoreSlim _preparing = new(1, 1);
    private bool _ready;

    /// <summary>
    /// The file at <paramref name="path"/> (checked by the store that makes this object), whose store's tables
    /// <paramref name="prepareSchema"/> creates or checks. Connections are pooled (Microsoft.Data.Sqlite's default).
    /// </summary>
    public SqliteFile(string path, Func<SqliteConnection, CancellationToken, Task<Either<PkceError, Unit>>> prepareSchema)
    {
        _path = path;
        _prepareSchema = prepareSchema;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
    }

    /// <summary>Prepares the file once, opens a connection, runs <paramref name="work"/>, and types every failure.</summary>
    public EitherAsync<PkceError, T> Run<T>(Func<SqliteConnection, Task<Either<PkceError, T>>> work, CancellationToken cancellationToken) =>
        RunAsync(work, cancellationToken).ToAsync();

    private async Task<Either<PkceError, T>> RunAsync<T>(Func<SqliteConnection, Task<Either<PkceError, T>>> work, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
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

    /// <summary>Once per store object: a private file, the rollback journal, and the store's schema.</summary>
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
                // DELETE is the default of a file not in WAL mode; setting it converts a file left in WAL mode (while
                // another connection holds a WAL file open, SQLite answers "database is locked" once the busy timeout
                // passes). SQLite answers with another mode, and no error, for an in-memory database (":memory:").
                journal.CommandText = "PRAGMA journal_mode = DELETE";
                var mode = Convert.ToString(await journal.ExecuteScalarAsync(cancellationToken));
                if (!string.Equals(mode, "delete", StringComparison.OrdinalIgnoreCase))
                    return new PkceError.StoreFailure(
                        $"the database keeps journal mode {mode}; this store needs a file with the rollback journal (DELETE), which keeps no erased secret");
            }
            var schema = await _prepareSchema(connection, cancellationToken);
            if (schema.IsLeft) return schema;
            Volatile.Write(ref _ready, true);
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
}
