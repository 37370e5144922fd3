using LanguageExt;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Pkce.Facade;

namespace Pkce.AspNetCore;

/// <summary>Whether the signed-in user's account at a provider is connected, for the app's pages. Holds no token.</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="Connected">Whether tokens are kept for the user (they may still need a refresh).</param>
/// <param name="ExpiresAt">When the access token expires, if known.</param>
/// <param name="Scope">The scope granted, if the provider said.</param>
/// <param name="CanRefresh">Whether a refresh token is kept.</param>
public sealed record PkceConnection(string Provider, bool Connected, DateTimeOffset? ExpiresAt, string? Scope, bool CanRefresh);

/// <summary>Reads the signed-in user's connections (inject it into a page or endpoint).</summary>
public sealed class PkceConnections
{
    private readonly PkceProviders _providers;
    private readonly PkceAspNetCoreOptions _options;

    internal PkceConnections(PkceProviders providers, IOptions<PkceAspNetCoreOptions> options) => (_providers, _options) = (providers, options.Value);

    /// <summary>The providers the app has, in order.</summary>
    public IReadOnlyList<string> Providers => _providers.Names;

    /// <summary>The connection of the user signed in to <paramref name="context"/> at <paramref name="provider"/> (not connected when nobody is signed in).</summary>
    public async Task<PkceConnection> GetAsync(HttpContext context, string provider, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var found = _providers.Find(provider) ?? throw new ArgumentException($"no Pkce provider named '{provider}'", nameof(provider));
        var none = new PkceConnection(provider, false, null, null, false);
        if (_options.UserId(context) is not { } userId) return none;
        var stored = await (from key in found.KeyOf(userId).ToAsync()
                            from tokens in found.Stored(key, cancellationToken)
                            select tokens).ToEither();
        return stored.Match(
            s => s.Tokens.Match(
                t => new PkceConnection(provider, true, t.ExpiresAt.Map(e => (DateTimeOffset?)e).IfNoneUnsafe((DateTimeOffset?)null),
                    t.Scope.IfNoneUnsafe((string?)null), t.RefreshToken.IsSome),
                () => none),
            error => throw Errors.ToException(error));
    }
}
