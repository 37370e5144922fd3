using LanguageExt;

namespace Pkce;

/// <summary>The registered client, validated. Built by <see cref="Config.Validate"/>.</summary>
/// <param name="ClientId">RFC 6749 §2.2 client identifier.</param>
/// <param name="Secret">The client password, present exactly when <paramref name="Authentication"/> needs it.</param>
/// <param name="Authentication">How the client authenticates at the token endpoint.</param>
/// <param name="RedirectUri">Absolute, without fragment (RFC 6749 §3.1.2).</param>
/// <param name="Scope">Space-separated scope tokens (RFC 6749 §3.3), if any.</param>
public sealed record ClientConfig(
    string ClientId,
    Option<ClientSecret> Secret,
    ClientAuthentication Authentication,
    Uri RedirectUri,
    Option<string> Scope);
