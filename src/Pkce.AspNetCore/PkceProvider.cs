using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce.AspNetCore;

/// <summary>
/// One provider at run time: its configuration (validated, or discovered from its issuer and kept by the metadata
/// cache), its HTTP port (a factory-made client over the library's pinned transport), and the token source that
/// keeps its users' tokens. The token source is made with the first configuration obtained and then kept, so every
/// refresh of the provider goes through one single flight.
/// </summary>
internal sealed class PkceProvider
{
    private readonly PkceProviderOptions _options;
    private readonly MetadataCache _metadata;
    private readonly TokenStore _tokens;
    private readonly TokenSourceOptions _sourceOptions;
    private readonly Either<PkceError, PkceConfig> _static;
    private readonly SemaphoreSlim _sourceGate = new(1, 1);
    private volatile TokenSource? _source;

    public PkceProvider(string name, PkceProviderOptions options, Dependencies deps, MetadataCache metadata, TokenStore tokens, PendingStore pending,
        TokenSourceOptions sourceOptions)
    {
        (Name, _options, Deps, _metadata, _tokens, Pending, _sourceOptions) = (name, options, deps, metadata, tokens, pending, sourceOptions);
        _static = string.IsNullOrEmpty(options.Issuer) ? Pkce.Config.Validate(options.Settings()) : Left<PkceError, PkceConfig>(new PkceError.InvalidValue("issuer", "discovered"));
        RedirectPath = Uri.TryCreate(options.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.AbsolutePath : "";
        ReturnPath = options.ReturnPath;
    }

    public string Name { get; }

    public Dependencies Deps { get; }

    public PendingStore Pending { get; }

    /// <summary>The path of the redirect URI, where the callback endpoint is mapped.</summary>
    public string RedirectPath { get; }

    /// <summary>Where the browser goes afterwards.</summary>
    public string ReturnPath { get; }

    /// <summary>The configuration now: the validated settings, or the settings with the issuer's current metadata.</summary>
    public EitherAsync<PkceError, PkceConfig> Config(CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(_options.Issuer)
            ? _static.ToAsync()
            : DiscoveredConfig.Discover(_options.Settings(), _metadata, _options.Issuer, cancellationToken);

    /// <summary>Whose tokens: the user's, for this provider and its scope.</summary>
    public Either<PkceError, TokenKey> KeyOf(string userId) =>
        UserKey.From(userId).Map(user => new TokenKey(user, Name, _options.Scope?.Trim() ?? ""));

    /// <summary>The provider's token source, made once with the first configuration obtained.</summary>
    public EitherAsync<PkceError, TokenSource> Source(CancellationToken cancellationToken) =>
        _source is { } ready ? RightAsync<PkceError, TokenSource>(ready) : MakeSource(cancellationToken).ToAsync();

    private async Task<Either<PkceError, TokenSource>> MakeSource(CancellationToken cancellationToken)
    {
        var config = await Config(cancellationToken).ToEither().ConfigureAwait(false);
        if (config.IsLeft) return config.Map(_ => default(TokenSource)!);
        await _sourceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _source ??= new TokenSource(config.IfLeft(() => throw new InvalidOperationException()), Deps, _tokens, _sourceOptions);
        }
        finally
        {
            _sourceGate.Release();
        }
    }

    /// <summary>The stored tokens of <paramref name="key"/>, as they are (no refresh): for a page that shows whether an account is connected.</summary>
    public EitherAsync<PkceError, StoredTokens> Stored(TokenKey key, CancellationToken cancellationToken) => _tokens.Load(key, cancellationToken);
}
