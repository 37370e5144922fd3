using LanguageExt;

namespace Pkce;

/// <summary>
/// The PKCE code verifier, kept by the client and sent only to the token endpoint.
/// RFC 7636 §4.1: "code_verifier = high-entropy cryptographic random STRING using the unreserved characters
/// [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" from Section 2.3 of [RFC3986], with a minimum length of 43
/// characters and a maximum length of 128 characters."
/// Made by <see cref="Secrets.Generate(RandomBytes)"/>, consumed by <see cref="Challenge.S256"/> and the token request.
/// </summary>
public sealed class CodeVerifier : IEquatable<CodeVerifier>
{
    private CodeVerifier(string value) => Value = value;

    /// <summary>The verifier. A secret: never log it.</summary>
    public string Value { get; }

    /// <summary>Accepts 43 to 128 characters of the RFC 3986 unreserved set.</summary>
    public static Either<PkceError, CodeVerifier> From(string? value) =>
        Rules.Check(value, "code verifier", 43, 128, Rules.IsUnreserved, "[A-Z] [a-z] [0-9] - . _ ~")
            .Map(v => new CodeVerifier(v));

    internal static CodeVerifier Trusted(string value) => new(value);

    /// <inheritdoc />
    public bool Equals(CodeVerifier? other) => other is not null && other.Value == Value;
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CodeVerifier);
    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
    /// <summary>Always <c>[redacted]</c>: the verifier is a secret.</summary>
    public override string ToString() => Redaction.Mark;
}
