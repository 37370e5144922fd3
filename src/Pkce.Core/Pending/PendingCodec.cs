using System.Text.Json;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The stored form of a <see cref="PendingAuthorization"/>, for stores that keep bytes (a file, Redis). Reading it
/// back checks every value through its type's rule, so a corrupt or tampered entry is a
/// <see cref="PkceError.StoreFailure"/>, never an exception or a half-valid object. The text holds the verifier:
/// stores must keep it where only the application can read it, and never log it.
/// </summary>
public static class PendingCodec
{
    /// <summary>Version of the stored form; bump when its members change.</summary>
    public const int Version = 1;

    /// <summary>Writes the pending authorization as a small JSON object.</summary>
    public static string Encode(PendingAuthorization pending)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("v", Version);
            json.WriteString("state", pending.State.Value);
            json.WriteString("verifier", pending.Verifier.Value);
            json.WriteString("challenge", pending.Challenge.Value);
            json.WriteString("redirect_uri", pending.RedirectUri.OriginalString);
            pending.ExpectedIssuer.IfSome(issuer => json.WriteString("issuer", issuer));
            json.WriteBoolean("issuer_required", pending.IssuerRequired);
            json.WriteString("user", pending.User.Value);
            json.WriteString("created", pending.CreatedAt);
            json.WriteString("expires", pending.ExpiresAt);
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads what <see cref="Encode"/> wrote; anything else is a <see cref="PkceError.StoreFailure"/>.</summary>
    public static Either<PkceError, PendingAuthorization> Decode(string stored)
    {
        try
        {
            using var document = JsonDocument.Parse(stored);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("v", out var v) || !v.TryGetInt32(out var version) || version != Version)
                return Corrupt("unknown format");
            string? Text(string name) => root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            DateTimeOffset? Time(string name) =>
                root.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String && e.TryGetDateTimeOffset(out var t) ? t : null;
            // A stored redirect URI names its scheme, as validation asked of it ("/callback" would read as a file).
            var redirect = Text("redirect_uri") is { } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) && Config.HasExplicitScheme(text, uri)
                ? Right<PkceError, Uri>(uri) : Corrupt<Uri>("redirect URI");
            var created = Time("created") is { } c ? Right<PkceError, DateTimeOffset>(c) : Corrupt<DateTimeOffset>("creation time");
            var expires = Time("expires") is { } x ? Right<PkceError, DateTimeOffset>(x) : Corrupt<DateTimeOffset>("expiry");
            var issuerRequired = root.TryGetProperty("issuer_required", out var r) && r.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? Right<PkceError, bool>(r.GetBoolean()) : Corrupt<bool>("issuer flag");
            return (from state in State.From(Text("state"))
                    from verifier in CodeVerifier.From(Text("verifier"))
                    from challenge in CodeChallenge.From(Text("challenge"))
                    from user in UserKey.From(Text("user"))
                    from redirectUri in redirect
                    from required in issuerRequired
                    from createdAt in created
                    from expiresAt in expires
                    from _ in guard(Challenge.S256(verifier).Equals(challenge), (PkceError)new PkceError.StoreFailure("stored entry is corrupt: challenge does not match verifier")).ToEither()
                    select new PendingAuthorization(state, verifier, challenge, redirectUri, Optional(Text("issuer")), required, user,
                        createdAt, expiresAt))
                .MapLeft(e => e is PkceError.StoreFailure ? e : new PkceError.StoreFailure("stored entry is corrupt: " + e.Message));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return Corrupt("not readable");
        }
    }

    private static Either<PkceError, PendingAuthorization> Corrupt(string what) => Corrupt<PendingAuthorization>(what);

    private static Either<PkceError, T> Corrupt<T>(string what) => new PkceError.StoreFailure("stored entry is corrupt: " + what);
}
