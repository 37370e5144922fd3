using LanguageExt;

namespace Pkce;

/// <summary>
/// Whom a flow belongs to: a user id, a session id, anything stable across the two requests. Opaque to the
/// library; compared ordinally so that a callback cannot complete another user's flow.
/// </summary>
public sealed record UserKey
{
    private UserKey(string value) => Value = value;

    /// <summary>The key as given.</summary>
    public string Value { get; }

    /// <summary>Accepts any non-empty string of at most 1024 characters.</summary>
    public static Either<PkceError, UserKey> From(string? value) =>
        string.IsNullOrEmpty(value) ? new PkceError.InvalidValue("user key", "missing")
        : value.Length > 1024 ? new PkceError.InvalidValue("user key", $"length {value.Length} exceeds 1024")
        : new UserKey(value);

    /// <summary>The key itself.</summary>
    public override string ToString() => Value;
}
