namespace Pkce;

/// <summary>What secrets print as.</summary>
public static class Redaction
{
    /// <summary>The text shown in place of a secret.</summary>
    public const string Mark = "[redacted]";
}
