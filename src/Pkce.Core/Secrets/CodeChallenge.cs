using LanguageExt;

namespace Pkce;

/// <summary>
/// The S256 code challenge sent in the authorization request.
/// RFC 7636 §4.2: <c>code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))</c>; a SHA-256 digest
/// is 32 octets, so the challenge is always 43 base64url characters without padding.
/// Made by <see cref="Challenge.S256"/>, sent by <see cref="AuthorizationUrl.Build(PkceConfig, PendingAuthorization)"/>.
/// </summary>
public sealed class CodeChallenge : IEquatable<CodeChallenge>
{
    private CodeChallenge(string value) => Value = value;

    /// <summary>The challenge; public by design (it travels in the front channel).</summary>
    public string Value { get; }

    /// <summary>Accepts exactly 43 characters of the base64url alphabet.</summary>
    public static Either<PkceError, CodeChallenge> From(string? value) =>
        Rules.Check(value, "code challenge", 43, 43, Rules.IsBase64Url, "the base64url alphabet")
            .Map(v => new CodeChallenge(v));

    internal static CodeChallenge Trusted(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(CodeChallenge? other) => other is not null && other.Value == Value;
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CodeChallenge);
    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
    /// <summary>The challenge itself: public by design.</summary>
    public override string ToString() => Value;
}
