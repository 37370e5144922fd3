namespace Pkce;

/// <summary>A client password (RFC 6749 §2.3.1). Prints as <c>[redacted]</c>.</summary>
public sealed class ClientSecret
{
    /// <summary>Wraps a secret; empty secrets are refused by <see cref="Config.Validate"/>.</summary>
    public ClientSecret(string value) => Value = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The secret. Never log it.</summary>
    public string Value { get; }

    /// <summary>Always <c>[redacted]</c>.</summary>
    public override string ToString() => Redaction.Mark;
}
