using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.AspNetCore;

/// <summary>
/// A provider's DPoP key, kept in the token store beside the tokens (so encrypted by Data Protection, and shared by
/// every instance of the app on a shared store): an entry whose resource starts with NUL, which no provider's
/// tokens have (a provider's resource is its name, of letters, digits, '-' and '_'), so no app user, whatever their
/// id, reaches it; its "access token" is the algorithm and the PKCS#8 private key. Made on first use; when two instances make one at
/// once, the compare-and-swap keeps the first and the other loads it, so all instances end with the same key.
/// </summary>
internal static class DpopKeyStore
{
    private static readonly UserKey Holder = UserKey.From("\0pkce-dpop-key").IfLeft(_ => throw new InvalidOperationException());

    public static async Task<Either<PkceError, DpopKey>> LoadOrCreate(TokenStore store, string provider, string algorithm, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var key = EntryOf(provider);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var stored = await store.Load(key, cancellationToken).ToEither().ConfigureAwait(false);
            if (stored.IsLeft) return stored.Map(_ => default(DpopKey)!);
            var current = stored.IfLeft(StoredTokens.Nothing);
            if (current.Tokens.Case is TokenSet kept) return Decode(kept.AccessToken);
            var made = DpopKey.Generate(algorithm);
            if (made.IsLeft) return made;
            var fresh = made.IfLeft(() => throw new InvalidOperationException());
            var entry = new TokenSet($"{algorithm}:{Convert.ToBase64String(fresh.Export())}", "DPoP-Key", None, None, None, clock.GetUtcNow());
            var written = await store.Swap(key, current.Version, new StoredTokens(0, Some(entry), None), cancellationToken).ToEither().ConfigureAwait(false);
            if (written.IsLeft || written.IfLeft(false)) return written.Map(_ => fresh);
            fresh.Dispose();
        }
        return new PkceError.StoreFailure("the DPoP key could not be written (the store kept changing)");
    }

    /// <summary>Where the key of <paramref name="provider"/> is kept.</summary>
    public static TokenKey EntryOf(string provider) => new(Holder, "\0pkce-dpop-key:" + provider, "");

    private static Either<PkceError, DpopKey> Decode(string entry)
    {
        var colon = entry.IndexOf(':');
        if (colon < 0) return new PkceError.StoreFailure("the stored DPoP key is not readable");
        try
        {
            return DpopKey.Import(entry[..colon], Convert.FromBase64String(entry[(colon + 1)..]));
        }
        catch (FormatException)
        {
            return new PkceError.StoreFailure("the stored DPoP key is not readable");
        }
    }
}
