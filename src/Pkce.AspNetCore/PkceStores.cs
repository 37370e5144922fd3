namespace Pkce.AspNetCore;

/// <summary>
/// Where pending connections and tokens are kept, as store ports: in memory (the default, one process), in a SQLite
/// file, in Redis, or the app's own. The token store here is the backend's; the package encrypts what goes in.
/// </summary>
/// <param name="Pending">Pending authorizations (state, verifier), taken once by their callback.</param>
/// <param name="Tokens">Each user's tokens per provider.</param>
/// <param name="Name">What the health check calls the backend.</param>
public sealed record PkceStores(PendingStore Pending, TokenStore Tokens, string Name);
