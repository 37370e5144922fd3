using System.Collections.Concurrent;
using System.Security.Cryptography;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>
/// The library's token store ports (<see cref="TokenStore"/>) over files, shared by every <c>pkce</c> process of a
/// user. Each key has three files in one 0700 directory, named by a hash of the key:
/// <list type="bullet">
/// <item><c>KEY.json</c> (0600): the tokens and their version, replaced whole by <see cref="AtomicFile"/>; read without
/// a lock. With the Secret Service (<see cref="SecretServiceVault"/>) this content is a keyring item instead.</item>
/// <item><c>KEY.json.lock</c>: held (<see cref="FileLock"/>) for the few milliseconds of a compare-and-swap or a delete.</item>
/// <item><c>KEY.json.lease</c>: the refresh lease, held from before the refresh token is sent until the renewed tokens
/// are written. It is a lock of its own, released by the kernel if its holder dies, so a crashed refresh never blocks the
/// next one for the lease's time-to-live.</item>
/// </list>
/// </summary>
public sealed class FileTokenStore : IDisposable
{
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);
    private readonly string _directory;
    private readonly string? _root;
    private readonly ITokenVault _vault;
    private readonly ConcurrentDictionary<string, (string Holder, FileLock Lease)> _leases = new(StringComparer.Ordinal);

    /// <summary>
    /// A store in <paramref name="directory"/>, made owner-only (0700) on the first write, as is <paramref name="root"/>
    /// (the state directory above it), if given.
    /// </summary>
    public FileTokenStore(string directory, string? root = null, ITokenVault? vault = null) =>
        (_directory, _root, _vault) = (directory ?? throw new ArgumentNullException(nameof(directory)), root, vault ?? FileVault.Instance);

    /// <summary>Where the content of each key is kept.</summary>
    public ITokenVault Vault => _vault;

    /// <summary>The store's ports.</summary>
    public TokenStore Ports => new(Load, Swap, Delete, Acquire, Release);

    /// <summary>The file that holds the tokens of <paramref name="key"/>.</summary>
    public string PathOf(TokenKey key) =>
        Path.Combine(_directory, Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key.Value)))[..32] + ".json");

    /// <summary>Implements <see cref="LoadTokens"/>: the file as the last completed write left it.</summary>
    public EitherAsync<PkceError, StoredTokens> Load(TokenKey key, CancellationToken cancellationToken) =>
        Try(() => Read(PathOf(key))).ToAsync();

    /// <summary>Implements <see cref="SwapTokens"/> under the key's lock.</summary>
    public EitherAsync<PkceError, bool> Swap(TokenKey key, long expectedVersion, StoredTokens next, CancellationToken cancellationToken) =>
        Locked(key, path =>
        {
            var current = Read(path).Version;
            if (current != expectedVersion) return false;
            _vault.Write(path, TokenFile.Write(next with { Version = expectedVersion + 1 }));
            return true;
        }, cancellationToken);

    /// <summary>Implements <see cref="DeleteTokens"/> under the key's lock.</summary>
    public EitherAsync<PkceError, Unit> Delete(TokenKey key, CancellationToken cancellationToken) =>
        Locked(key, path =>
        {
            _vault.Delete(path);
            return unit;
        }, cancellationToken);

    /// <summary>
    /// Implements <see cref="AcquireLease"/>: takes the key's lease lock if no process holds it. The lock lasts until
    /// <see cref="Release"/> or the end of the process; <paramref name="ttl"/> is not needed, as the kernel releases
    /// the lock of a dead holder at once.
    /// </summary>
    public EitherAsync<PkceError, bool> Acquire(TokenKey key, string holder, TimeSpan ttl, CancellationToken cancellationToken) =>
        Try(() =>
        {
            if (_leases.TryGetValue(key.Value, out var held)) return held.Holder == holder;
            Ensure();
            if (FileLock.TryTake(PathOf(key) + ".lease") is not { } lease) return false;
            if (_leases.TryAdd(key.Value, (holder, lease))) return true;
            lease.Dispose();
            return false;
        }).ToAsync();

    /// <summary>Implements <see cref="ReleaseLease"/>.</summary>
    public EitherAsync<PkceError, Unit> Release(TokenKey key, string holder, CancellationToken cancellationToken) =>
        Try(() =>
        {
            if (_leases.TryGetValue(key.Value, out var held) && held.Holder == holder && _leases.TryRemove(KeyValuePair.Create(key.Value, held)))
                held.Lease.Dispose();
            return unit;
        }).ToAsync();

    /// <summary>Releases every lease this store still holds.</summary>
    public void Dispose()
    {
        foreach (var (_, held) in _leases) held.Lease.Dispose();
        _leases.Clear();
    }

    private void Ensure()
    {
        if (_root is not null) StateDirectory.Ensure(_root);
        StateDirectory.Ensure(_directory);
    }

    private StoredTokens Read(string path) =>
        _vault.Read(path) is not { } content ? StoredTokens.Nothing
        : TokenFile.Read(content).Match(stored => stored, problem => throw new InvalidDataException($"{path}: {problem}"));

    private EitherAsync<PkceError, T> Locked<T>(TokenKey key, Func<string, T> write, CancellationToken cancellationToken) =>
        LockedAsync(key, write, cancellationToken).ToAsync();

    private async Task<Either<PkceError, T>> LockedAsync<T>(TokenKey key, Func<string, T> write, CancellationToken cancellationToken)
    {
        try
        {
            Ensure();
            var path = PathOf(key);
            using var held = await FileLock.TakeAsync(path + ".lock", LockPatience, cancellationToken).ConfigureAwait(false);
            return write(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or TimeoutException)
        {
            return new PkceError.StoreFailure(e.Message);
        }
    }

    private static Either<PkceError, T> Try<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return new PkceError.StoreFailure(e.Message);
        }
    }
}
