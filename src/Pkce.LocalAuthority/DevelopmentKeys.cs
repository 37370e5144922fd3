using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Pkce.LocalAuthority;

/// <summary>
/// Keys for a development server. The RSA-2048 signing key is generated once and shipped in this assembly (so a
/// start costs no key generation; OpenIddict's ephemeral keys are RSA-4096 made lazily, seconds each); the
/// encryption key is symmetric and fresh per start. Never use either outside local tests.
/// </summary>
internal static class DevelopmentKeys
{
    public static SecurityKey Signing()
    {
        using var stream = typeof(DevelopmentKeys).Assembly.GetManifestResourceStream("Pkce.LocalAuthority.Keys.development-signing-key.pem")
            ?? throw new InvalidOperationException("the development signing key is missing from the assembly");
        using var reader = new StreamReader(stream);
        var rsa = RSA.Create();
        rsa.ImportFromPem(reader.ReadToEnd());
        return new RsaSecurityKey(rsa) { KeyId = "pkce-local-development" };
    }

    public static SecurityKey Encryption() => new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
}
