using System.Text.Json;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>
/// The DPoP keys (RFC 9449) of the profiles that use one, kept where the profile's tokens are kept, by the same
/// <see cref="ITokenVault"/>: with files, <c>tokens/NAME.dpop-key</c> (0600, replaced whole by
/// <see cref="AtomicFile"/> under <c>NAME.dpop-key.lock</c>); with the Secret Service, an item whose
/// <c>token-file</c> is <c>NAME.dpop-key</c>. The content is <c>{"alg":…,"jkt":…,"pkcs8":BASE64}</c>: the private
/// key, so it is never printed and no error message carries it. One key per profile name, not per token key: a new
/// login of the profile (another scope, another issuer) keeps binding its tokens to the same key.
/// </summary>
/// <remarks>
/// A key file is read only if it is a regular file (not a symbolic link) with no group or other permission bits: a
/// key that others could read must be taken as copied, so it is refused rather than tightened, and
/// <c>pkce login --profile NAME --dpop</c> replaces it. Writes never go through a planted link: the rename of
/// <see cref="AtomicFile"/> replaces the link itself.
/// </remarks>
public static class ProfileKeys
{
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);

    /// <summary>Group and other permission bits: a key file with any of them is refused.</summary>
    private const UnixFileMode OthersBits = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>How the name of a key's file (or Secret Service item) ends.</summary>
    public const string Extension = ".dpop-key";

    /// <summary>Where the key of profile <paramref name="name"/> is kept (a file, or the name of a Secret Service item).</summary>
    public static string PathOf(StateDirectory directory, string name) => Path.Combine(directory.TokensPath, name + Extension);

    /// <summary>
    /// The key of <paramref name="profile"/> (which must use DPoP): None when none is stored; Left when the stored one
    /// cannot be used (unreadable, readable by others, a link, or not the key the profile names).
    /// </summary>
    public static Either<PkceError, Option<DpopKey>> Load(Profiles profiles, Profile profile)
    {
        var expected = profile.Dpop ?? throw new ArgumentException($"profile {profile.Name} does not use DPoP", nameof(profile));
        var path = PathOf(profiles.Directory, profile.Name);
        byte[]? content;
        try
        {
            var vault = profiles.TokensOf(profile).Vault;
            content = vault is FileVault ? ReadOwnerOnly(path) : vault.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new PkceError.StoreFailure($"the DPoP key of profile {profile.Name} cannot be read: {e.Message}");
        }
        if (content is null) return Right<PkceError, Option<DpopKey>>(None);
        return Decode(content, profile.Name).Bind(key =>
        {
            if (key.Algorithm == expected.Algorithm && key.Thumbprint == expected.Thumbprint) return Right<PkceError, Option<DpopKey>>(Some(key));
            key.Dispose();
            return new PkceError.StoreFailure($"the stored DPoP key of profile {profile.Name} is not the one the profile names (thumbprint {expected.Thumbprint})");
        });
    }

    /// <summary>Keeps <paramref name="key"/> as the key of <paramref name="profile"/>'s name in its vault (under the key's lock).</summary>
    public static async Task SaveAsync(Profiles profiles, Profile profile, DpopKey key, CancellationToken cancellationToken)
    {
        StateDirectory.Ensure(profiles.Directory.Path);
        StateDirectory.Ensure(profiles.Directory.TokensPath);
        var path = PathOf(profiles.Directory, profile.Name);
        using var held = await FileLock.TakeAsync(path + ".lock", LockPatience, cancellationToken);
        profiles.TokensOf(profile).Vault.Write(path, Encode(key));
    }

    /// <summary>Removes the key of <paramref name="profile"/>'s name from its vault, if there is one.</summary>
    public static async Task DeleteAsync(Profiles profiles, Profile profile, CancellationToken cancellationToken)
    {
        var path = PathOf(profiles.Directory, profile.Name);
        if (!Directory.Exists(profiles.Directory.TokensPath)) return;
        using var held = await FileLock.TakeAsync(path + ".lock", LockPatience, cancellationToken);
        profiles.TokensOf(profile).Vault.Delete(path);
    }

    /// <summary>
    /// A key file's bytes, or null if there is none; refuses a symbolic link and a file with group or other bits
    /// (checked on the open file, so the file read is the file checked).
    /// </summary>
    private static byte[]? ReadOwnerOnly(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) throw new IOException($"{path} is a symbolic link; a DPoP key is read from a regular file only");
        if (!info.Exists) return null;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(file.SafeFileHandle);
            if ((mode & OthersBits) != 0)
                throw new IOException($"{path} has mode {Convert.ToString((int)mode, 8)}, open to others: the key may have been copied and is not used; " +
                                      "pkce login --profile NAME --dpop makes a new one");
        }
        if (file.Length > 64 * 1024) throw new IOException($"{path} is larger than any DPoP key this command writes");
        var content = new byte[file.Length];
        file.ReadExactly(content);
        return content;
    }

    private static byte[] Encode(DpopKey key)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("alg", key.Algorithm);
            json.WriteString("jkt", key.Thumbprint);
            json.WriteBase64String("pkcs8", key.Export());
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    // No message here names a value of the file: only what is wrong with it.
    private static Either<PkceError, DpopKey> Decode(byte[] content, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            var algorithm = root.GetProperty("alg").GetString() ?? throw new FormatException();
            var pkcs8 = root.GetProperty("pkcs8").GetBytesFromBase64();
            return DpopKey.Import(algorithm, pkcs8)
                .MapLeft(_ => (PkceError)new PkceError.StoreFailure($"the stored DPoP key of profile {name} is not a key this command wrote"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new PkceError.StoreFailure($"the stored DPoP key of profile {name} is not a key this command wrote ({e.GetType().Name})");
        }
    }
}
