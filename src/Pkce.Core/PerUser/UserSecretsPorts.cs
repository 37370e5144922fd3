using LanguageExt;

namespace Pkce;

/// <summary>
/// Stores the secrets of the user's new flow in the application's per-user storage (the seed's
/// <c>store_user_secrets</c>), replacing the user's earlier ones: with per-user storage a user has one flow at a
/// time, and starting another makes the earlier callback fail. The store must keep <see cref="UserSecrets.ExpiresAt"/>
/// with them. The user is the one the delegate was made for.
/// </summary>
public delegate EitherAsync<PkceError, Unit> SaveUserSecrets(UserSecrets secrets, CancellationToken cancellationToken);

/// <summary>
/// Takes the user's secrets if their state is <paramref name="state"/>, in one atomic step: if the stored state
/// equals it, delete the secrets and return them; otherwise return none and leave them. Of any number of concurrent
/// takes, at most one gets the secrets (a compare-and-delete, such as <c>DELETE ... WHERE user = @u AND state = @s
/// RETURNING ...</c>), so a callback can be redeemed once. Comparing the state here also means a stray callback with
/// another state cannot destroy the user's real flow. The user is the one the delegate was made for.
/// </summary>
public delegate EitherAsync<PkceError, Option<UserSecrets>> TakeUserSecrets(State state, CancellationToken cancellationToken);
