using LanguageExt;

namespace Pkce;

/// <summary>
/// The authorization code from the callback. RFC 6749 Appendix A.11: <c>code = 1*VSCHAR</c>.
/// RFC 6749 §4.1.2: "The client MUST NOT use the authorization code more than once."
/// Read by <see cref="Callback.Parse(string)"/>, redeemed only through a <see cref="VerifiedCallback"/>.
/// </summary>
public sealed class AuthorizationCode : IEquatable<AuthorizationCode>
{
    /// <summary>Longest code accepted; servers' codes are far shorter, the bound keeps input small.</summary>
    public const int MaxLength = 4096;

    private AuthorizationCode(string value) => Value = value;

    /// <summary>The code. A secret until redeemed: never log it.</summary>
    public string Value { get; }

    /// <summary>Accepts 1 to <see cref="MaxLength"/> characters of VSCHAR (%x20-7E).</summary>
    public static Either<PkceError, AuthorizationCode> From(string? value) =>
        Rules.Check(value, "authorization code", 1, MaxLength, Rules.IsVsChar, "VSCHAR (%x20-7E)")
            .Map(v => new AuthorizationCode(v));

    /// <inheritdoc />
    public bool Equals(AuthorizationCode? other) => other is not null && other.Value == Value;
    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AuthorizationCode);
    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Value);
    /// <summary>Always <c>[redacted]</c>: the code is a secret.</summary>
    public override string ToString() => Redaction.Mark;
}
