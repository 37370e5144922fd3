using LanguageExt;

namespace Pkce;

/// <summary>Whose tokens, for what: one user's tokens for one resource and scope are kept, refreshed and revoked together.</summary>
/// <param name="User">The user.</param>
/// <param name="Resource">The API they are for (any stable name, e.g. the API's base URL); empty for the default.</param>
/// <param name="Scope">The scope they were granted for (space-separated, as requested).</param>
public sealed record TokenKey(UserKey User, string Resource, string Scope)
{
    /// <summary>The user (never null).</summary>
    public UserKey User { get; } = User ?? throw new ArgumentNullException(nameof(User));

    /// <summary>The resource (never null; empty for the default).</summary>
    public string Resource { get; } = Resource ?? throw new ArgumentNullException(nameof(Resource));

    /// <summary>The scope (never null).</summary>
    public string Scope { get; } = Scope ?? throw new ArgumentNullException(nameof(Scope));

    /// <summary>One string for stores that key by text: the three parts, each length-prefixed so no two keys collide.</summary>
    public string Value => $"{User.Value.Length}:{User.Value}|{Resource.Length}:{Resource}|{Scope.Length}:{Scope}";

    /// <summary>
    /// A fixed-length name for stores that key by bytes or need a key free of special characters (a SQLite
    /// column, a Redis hash tag): the lowercase hex SHA-256 of <see cref="Value"/>'s UTF-16 code units, low byte
    /// first. Distinct keys get distinct ids, also keys that hold lone surrogates, which every UTF-8 encoding turns
    /// into the same U+FFFD; and an id is 64 characters of <c>[0-9a-f]</c>, never a brace or a separator.
    /// </summary>
    public string Id
    {
        get
        {
            var value = Value;
            var bytes = new byte[value.Length * 2];
            for (var i = 0; i < value.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), value[i]);
            return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));
        }
    }
}

/// <summary>What a token store holds for a key, with the version its compare-and-swap checks.</summary>
/// <param name="Version">Increases by one on every write; 0 means nothing was ever stored.</param>
/// <param name="Tokens">The tokens, unless the user must sign in again.</param>
/// <param name="LoginRequired">Why the tokens cannot be renewed (the refresh token was refused), if so.</param>
public sealed record StoredTokens(long Version, Option<TokenSet> Tokens, Option<string> LoginRequired)
{
    /// <summary>Nothing stored: version 0.</summary>
    public static readonly StoredTokens Nothing = new(0, Prelude.None, Prelude.None);
}

/// <summary>Reads what is stored for <paramref name="key"/>, or <see cref="StoredTokens.Nothing"/>.</summary>
public delegate EitherAsync<PkceError, StoredTokens> LoadTokens(TokenKey key, CancellationToken cancellationToken);

/// <summary>
/// Compare-and-swap: writes <paramref name="next"/> (tokens, or a login-required mark) as version
/// <paramref name="expectedVersion"/> + 1 only if the stored version is still <paramref name="expectedVersion"/>, in
/// one atomic step; true if written. A rotated refresh token is written this way before anyone receives the new
/// access token, so two writers can never both install a renewal of one version.
/// </summary>
public delegate EitherAsync<PkceError, bool> SwapTokens(TokenKey key, long expectedVersion, StoredTokens next, CancellationToken cancellationToken);

/// <summary>Forgets everything stored for <paramref name="key"/> (logout).</summary>
public delegate EitherAsync<PkceError, Unit> DeleteTokens(TokenKey key, CancellationToken cancellationToken);

/// <summary>
/// Takes the refresh lease of <paramref name="key"/> for <paramref name="holder"/> until <paramref name="ttl"/> has
/// passed, if nobody holds it: true if taken. Across processes sharing a store, only the lease holder may send the
/// key's refresh token, so one refresh token is redeemed once. The lease outlives the refresh request (its timeout
/// is shorter), and lapses on its own if the holder dies.
/// </summary>
public delegate EitherAsync<PkceError, bool> AcquireLease(TokenKey key, string holder, TimeSpan ttl, CancellationToken cancellationToken);

/// <summary>Gives the lease back, if <paramref name="holder"/> still holds it.</summary>
public delegate EitherAsync<PkceError, Unit> ReleaseLease(TokenKey key, string holder, CancellationToken cancellationToken);

/// <summary>A token store's ports together, as a store implementation hands them out.</summary>
/// <param name="Load">Reads.</param>
/// <param name="Swap">Writes with compare-and-swap.</param>
/// <param name="Delete">Forgets.</param>
/// <param name="Acquire">Takes the refresh lease.</param>
/// <param name="Release">Gives it back.</param>
public sealed record TokenStore(LoadTokens Load, SwapTokens Swap, DeleteTokens Delete, AcquireLease Acquire, ReleaseLease Release);
