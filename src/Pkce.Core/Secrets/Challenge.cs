using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Pkce;

/// <summary>Derives the code challenge from the verifier.</summary>
public static class Challenge
{
    /// <summary>
    /// RFC 7636 §4.2: "If the client is capable of using "S256", it MUST use "S256"";
    /// <c>code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))</c>. The <c>plain</c> method is not offered.
    /// </summary>
    public static CodeChallenge S256(CodeVerifier verifier)
    {
        Span<byte> ascii = stackalloc byte[128];
        var length = Encoding.ASCII.GetBytes(verifier.Value, ascii);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..length], digest);
        return CodeChallenge.Trusted(Base64Url.EncodeToString(digest));
    }
}
