using System.Security.Cryptography;
using LanguageExt;
using Microsoft.AspNetCore.DataProtection;
using static LanguageExt.Prelude;

namespace Pkce.AspNetCore;

/// <summary>
/// Any token store with its secrets encrypted at rest by ASP.NET Core Data Protection: the access and refresh
/// tokens are protected before a swap writes them and unprotected after a load, so the backend (a SQLite file, a
/// Redis server) never holds a usable token. Each key has its own protector purpose (its <see cref="TokenKey.Id"/>),
/// so ciphertext copied from one user's entry to another's does not decrypt. Versions, expiries and the lease are
/// the backend's as they are. Tokens that no longer decrypt (the app's keys were lost or rotated out) read as a
/// login-required mark at their version: the user connects again, and the new tokens replace them.
/// </summary>
internal static class ProtectedTokenStore
{
    /// <summary>The root purpose of every token protector.</summary>
    public const string Purpose = "Pkce.AspNetCore.Tokens.v1";

    public static TokenStore Wrap(TokenStore inner, IDataProtectionProvider protection)
    {
        var root = protection.CreateProtector(Purpose);
        return inner with
        {
            Load = (key, cancellationToken) => inner.Load(key, cancellationToken).Map(stored => Open(root.CreateProtector(key.Id), stored)),
            Swap = (key, expected, next, cancellationToken) => inner.Swap(key, expected, Seal(root.CreateProtector(key.Id), next), cancellationToken),
        };
    }

    private static StoredTokens Seal(IDataProtector protector, StoredTokens stored) =>
        stored with
        {
            Tokens = stored.Tokens.Map(tokens => tokens with
            {
                AccessToken = protector.Protect(tokens.AccessToken),
                RefreshToken = tokens.RefreshToken.Map(protector.Protect),
            }),
        };

    private static StoredTokens Open(IDataProtector protector, StoredTokens stored)
    {
        try
        {
            return stored with
            {
                Tokens = stored.Tokens.Map(tokens => tokens with
                {
                    AccessToken = protector.Unprotect(tokens.AccessToken),
                    RefreshToken = tokens.RefreshToken.Map(protector.Unprotect),
                }),
            };
        }
        catch (CryptographicException)
        {
            return new StoredTokens(stored.Version, None, Some("the stored tokens cannot be decrypted with this app's Data Protection keys; connect again"));
        }
    }
}
