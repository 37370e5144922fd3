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
    private readonly Dependencies _plain;
    private volatile TokenSource? _source;
    private volatile Dependencies? _deps;

    public PkceProvider(string name, PkceProviderOptions options, Dependencies deps, MetadataCache metadata, TokenStore tokens, PendingStore pending,
        TokenSourceOptions sourceOptions)
    {
        (Name, _options, _plain, _metadata, _tokens, Pending, _sourceOptions) = (name, options, deps, metadata, tokens, pending, sourceOptions);
        _static = string.IsNullOrEmpty(options.Issuer) ? Pkce.Config.Validate(options.Settings()) : Left<PkceError, PkceConfig>(new PkceError.InvalidValue("issuer", "discovered"));
        RedirectPath = Uri.TryCreate(options.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.AbsolutePath : "";
        SecureCallback = redirect?.Scheme == Uri.UriSchemeHttps;
        ReturnPath = options.ReturnPath;
    }

    public string Name { get; }

    /// <summary>The clock of the provider's flows.</summary>
    public TimeProvider Clock => _plain.Clock;

    /// <summary>
    /// The dependencies of the provider's flows: with DPoP, the provider's key (loaded or made once, from the token
    /// store) and its nonces; a failure to load the key is returned and tried again on the next call.
    /// </summary>
    public EitherAsync<PkceError, Dependencies> Deps(CancellationToken cancellationToken) =>
        _deps is { } ready ? RightAsync<PkceError, Dependencies>(ready) : MakeDeps(cancellationToken).ToAsync();

    private async Task<Either<PkceError, Dependencies>> MakeDeps(CancellationToken cancellationToken)
    {
        if (!_options.UseDpop) return _deps = _plain;
        await _sourceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_deps is { } ready) return ready;
            var key = await DpopKeyStore.LoadOrCreate(_tokens, Name, _options.DpopAlgorithm, _plain.Clock, cancellationToken).ConfigureAwait(false);
            return key.Map(k => _deps = _plain with { Dpop = Some(new DpopBinding(k)) });
        }
        finally
        {
            _sourceGate.Release();
        }
    }

    public PendingStore Pending { get; }

    /// <summary>The path of the redirect URI, where the callback endpoint is mapped.</summary>
    public string RedirectPath { get; }

    /// <summary>Whether the callback is https (then the binding cookie is Secure, even behind a TLS-terminating proxy).</summary>
    public bool SecureCallback { get; }

    /// <summary>How long a started connection may take.</summary>
    public TimeSpan PendingLifetime => _options.PendingLifetime;

    /// <summary>Forgets the tokens of <paramref name="key"/> without asking the provider (a disconnect while it cannot be reached or discovered).</summary>
    public EitherAsync<PkceError, Unit> Forget(TokenKey key, CancellationToken cancellationToken) => _tokens.Delete(key, cancellationToken);

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

    /// <summary>The metadata is the configuration's only I/O: without an issuer, the configuration is there whatever the network does.</summary>
    public bool Discovered => !string.IsNullOrEmpty(_options.Issuer);

    /// <summary>The provider's token source, made once with the first configuration obtained.</summary>
    public EitherAsync<PkceError, TokenSource> Source(CancellationToken cancellationToken) =>
        _source is { } ready ? RightAsync<PkceError, TokenSource>(ready) : MakeSource(cancellationToken).ToAsync();

    private async Task<Either<PkceError, TokenSource>> MakeSource(CancellationToken cancellationToken)
    {
        var ready = await (from c in Config(cancellationToken)
                           from d in Deps(cancellationToken)
                           select (c, d)).ToEither().ConfigureAwait(false);
        if (ready.IsLeft) return ready.Map(_ => default(TokenSource)!);
        var (config, deps) = ready.IfLeft(() => throw new InvalidOperationException());
        await _sourceGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _source ??= new TokenSource(config, deps, _tokens, _sourceOptions);
        }
        finally
        {
            _sourceGate.Release();
        }
    }

    /// <summary>The stored tokens of <paramref name="key"/>, as they are (no refresh): for a page that shows whether an account is connected.</summary>
    public EitherAsync<PkceError, StoredTokens> Stored(TokenKey key, CancellationToken cancellationToken) => _tokens.Load(key, cancellationToken);
}
