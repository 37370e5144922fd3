using LanguageExt;

namespace Pkce;

/// <summary>
/// Stores a pending authorization under its <see cref="PendingAuthorization.State"/> until
/// <see cref="PendingAuthorization.ExpiresAt"/>. Fails with <see cref="PkceError.StoreFailure"/> when the store
/// cannot acknowledge the write; an acknowledged write must survive until it is taken or expires.
/// </summary>
public delegate EitherAsync<PkceError, Unit> SavePending(PendingAuthorization pending, CancellationToken cancellationToken);

/// <summary>
/// Takes the pending authorization stored under <paramref name="state"/> and consumes it: of any number of
/// concurrent or later takes of one state, exactly one succeeds. The others fail with
/// <see cref="PkceError.StateReplayed"/> (or <see cref="PkceError.StateUnknown"/> once the store has forgotten the
/// state); an entry past its expiry fails with <see cref="PkceError.StateExpired"/> and is removed.
/// </summary>
public delegate EitherAsync<PkceError, PendingAuthorization> TakePending(State state, CancellationToken cancellationToken);

/// <summary>The two store ports together, as a store implementation hands them out.</summary>
/// <param name="Save">Writes a pending authorization.</param>
/// <param name="Take">Consumes a pending authorization.</param>
public sealed record PendingStore(SavePending Save, TakePending Take);
