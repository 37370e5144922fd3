using System.Runtime.Versioning;
using System.Text;
using Microsoft.Data.Sqlite;
using Pkce.Stores.Sqlite;

namespace Pkce.Integration.Stores;

/// <summary>What only a file can do wrong with tokens: be unwritable or corrupt, leak them to others or to freed pages.</summary>
public sealed class SqliteTokenStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-sqlite-tokens-").FullName;
    private static readonly PkceConfig Config = Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "c", RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "https://as.example/authorize", TokenEndpoint = "https://as.example/token",
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));
    private static readonly TokenKey Key = new(UserKey.From("alice").IfLeft(_ => null!), "api", "read");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string FilePath(string name) => Path.Combine(_directory, name);

    /// <summary>Tokens long enough to spill into SQLite overflow pages when <paramref name="length"/> is large.</summary>
    private static TokenSet NewTokens(int length = 40) =>
        new("at-" + Secret(length), "Bearer", Some(DateTimeOffset.UtcNow.AddHours(1)), Some("rt-" + Secret(length)), Some("read"), DateTimeOffset.UtcNow);

    private static string Secret(int length) => string.Concat(Enumerable.Range(0, length / 32 + 1).Select(_ => Guid.NewGuid().ToString("N")))[..length];

    private static StoredTokens Holding(TokenSet tokens) => new(0, Some(tokens), None);

    /// <summary>
    /// The files of the store whose raw bytes hold any 40-character piece of <paramref name="secret"/>: a long token
    /// is split across overflow pages, so the whole of it need not be found in one piece.
    /// </summary>
    private string[] FilesHolding(string name, string secret) =>
        Directory.GetFiles(_directory).Where(f => Path.GetFileName(f).StartsWith(name, StringComparison.Ordinal)).Where(file =>
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            var content = bytes.ToArray();
            return Pieces(secret).Any(piece => content.AsSpan().IndexOf(Encoding.UTF8.GetBytes(piece)) >= 0);
        }).Select(Path.GetFileName).ToArray()!;

    /// <summary>Every 40 characters of <paramref name="secret"/>, and its last 40: no piece so short it turns up by chance.</summary>
    private static IEnumerable<string> Pieces(string secret) =>
        secret.Length <= 40 ? [secret]
        : Enumerable.Range(0, secret.Length / 40).Select(i => secret.Substring(i * 40, 40)).Append(secret[^40..]);

    private string[] FilesHoldingAny(string name, TokenSet tokens) =>
        FilesHolding(name, tokens.AccessToken).Concat(FilesHolding(name, tokens.RefreshToken.IfNone("-"))).ToArray();

    private async Task ExecuteAsync(string path, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }


    [Fact]
    public async Task An_unwritable_location_is_a_store_failure_that_names_no_token()
    {
        var store = new SqliteTokenStore(FilePath("missing-directory/tokens.db"));
        var tokens = NewTokens();
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Swap(Key, 0, Holding(tokens), default)));
        Assert.Contains("unable to open database file", error.Reason);
        Assert.DoesNotContain(tokens.AccessToken, error.ToString());
        Assert.DoesNotContain(tokens.RefreshToken.IfNone("-"), error.ToString());
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Load(Key, default)));
        Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Acquire(Key, "one", TimeSpan.FromMinutes(1), default)));
    }

    [Fact]
    public async Task A_corrupt_file_is_a_store_failure()
    {
        var path = FilePath("corrupt.db");
        await File.WriteAllTextAsync(path, new string('x', 4096));
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new SqliteTokenStore(path).Load(Key, default)));
        Assert.Contains("file is not a database", error.Reason);
    }

    [Fact]
    public async Task A_tampered_row_is_a_store_failure_that_quotes_no_token()
    {
        var path = FilePath("tampered.db");
        var store = new SqliteTokenStore(path);
        var tokens = NewTokens();
        await Expect.Right(store.Swap(Key, 0, Holding(tokens), default));
        await ExecuteAsync(path, "UPDATE tokens SET payload = replace(payload, '\"token_type\"', '\"token_typ\"')");
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(store.Load(Key, default)));
        Assert.StartsWith("stored tokens are corrupt", error.Reason);
        Assert.DoesNotContain(tokens.AccessToken, error.ToString());
    }

    [Fact]
    public async Task A_file_whose_token_tables_are_newer_is_refused()
    {
        var path = FilePath("future.db");
        await ExecuteAsync(path, "CREATE TABLE store_schema (component TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL); INSERT INTO store_schema VALUES ('tokens', 7);");
        var error = Assert.IsType<PkceError.StoreFailure>(await Expect.Left(new SqliteTokenStore(path).Load(Key, default)));
        Assert.Contains("schema version 7", error.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Tokens_and_pending_authorizations_share_one_file_in_either_order(bool tokensFirst)
    {
        var path = FilePath("shared.db");
        var tokenStore = new SqliteTokenStore(path);
        var pendingStore = new SqlitePendingStore(path);
        var pending = PendingAuthorization.For(Config, Secrets.Generate(), Key.User, DateTimeOffset.UtcNow);
        var tokens = NewTokens();
        if (tokensFirst) await Expect.Right(tokenStore.Swap(Key, 0, Holding(tokens), default));
        await Expect.Right(pendingStore.Save(pending, default));
        if (!tokensFirst) await Expect.Right(tokenStore.Swap(Key, 0, Holding(tokens), default));
        SqliteConnection.ClearAllPools();

        Assert.Equal(pending, await Expect.Right(new SqlitePendingStore(path).Take(pending.State, default)));
        Assert.Equal(Some(tokens), (await Expect.Right(new SqliteTokenStore(path).Load(Key, default))).Tokens);
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync();
        await using var versions = connection.CreateCommand();
        versions.CommandText = "SELECT (SELECT version FROM store_schema WHERE component = 'tokens') || ' ' || (SELECT user_version FROM pragma_user_version)";
        Assert.Equal($"{SqliteTokenStore.SchemaVersion} {SqlitePendingStore.SchemaVersion}", await versions.ExecuteScalarAsync());
    }

    [Fact, UnsupportedOSPlatform("windows")] // file modes are Unix permission bits
    public async Task The_file_is_created_readable_and_writable_by_the_owner_only()
    {
        var control = FilePath("control");
        await File.WriteAllTextAsync(control, "");
        Assert.True(File.GetUnixFileMode(control).HasFlag(UnixFileMode.OtherRead), "the test needs umask 022");
        var path = FilePath("private.db");
        await Expect.Right(new SqliteTokenStore(path).Swap(Key, 0, Holding(NewTokens()), default));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Theory]
    [InlineData(40)]
    [InlineData(6000)] // past a page: the payload lives in overflow pages, which a rewrite frees
    public async Task Replaced_and_deleted_tokens_are_in_no_file_of_the_store(int length)
    {
        var store = new SqliteTokenStore(FilePath("erased.db"));
        var first = NewTokens(length);
        await Expect.Right(store.Swap(Key, 0, Holding(first), default));
        Assert.NotEmpty(FilesHoldingAny("erased.db", first)); // the search finds stored tokens

        var second = NewTokens(length / 2); // shorter, so it cannot cover the first by chance
        await Expect.Right(store.Swap(Key, 1, Holding(second), default));
        Assert.Empty(FilesHoldingAny("erased.db", first));
        Assert.NotEmpty(FilesHoldingAny("erased.db", second));

        await Expect.Right(store.Delete(Key, default));
        Assert.Empty(FilesHoldingAny("erased.db", second));
        SqliteConnection.ClearAllPools(); // once the application has closed the file too
        Assert.Empty(FilesHoldingAny("erased.db", first));
        Assert.Empty(FilesHoldingAny("erased.db", second));
    }

    [Fact]
    public async Task A_login_required_mark_erases_the_tokens_it_replaces()
    {
        var store = new SqliteTokenStore(FilePath("marked.db"));
        var tokens = NewTokens();
        await Expect.Right(store.Swap(Key, 0, Holding(tokens), default));
        await Expect.Right(store.Swap(Key, 1, new StoredTokens(0, None, Some("refused")), default));
        Assert.Empty(FilesHoldingAny("marked.db", tokens));
    }
}
