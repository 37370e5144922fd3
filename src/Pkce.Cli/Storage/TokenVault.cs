namespace Pkce.Cli;

/// <summary>
/// Where a <see cref="FileTokenStore"/> keeps the content of a key (the token file's JSON, secrets included), by the
/// key's file name. Each operation replaces, reads or removes the whole content in one step; the store calls
/// <see cref="Write"/> and <see cref="Delete"/> only while it holds the key's lock.
/// </summary>
public interface ITokenVault
{
    /// <summary>How <c>pkce profiles</c> names it: <c>file</c> or <c>secret-service</c>.</summary>
    string Name { get; }

    /// <summary>The content stored under <paramref name="path"/>, or null if there is none.</summary>
    byte[]? Read(string path);

    /// <summary>Replaces the content under <paramref name="path"/> whole, or leaves the old one.</summary>
    void Write(string path, byte[] content);

    /// <summary>Removes the content under <paramref name="path"/>.</summary>
    void Delete(string path);
}

/// <summary>Token files themselves: 0600, replaced by <see cref="AtomicFile"/>.</summary>
public sealed class FileVault : ITokenVault
{
    /// <summary>The one instance.</summary>
    public static readonly FileVault Instance = new();

    private FileVault() { }

    /// <inheritdoc />
    public string Name => "file";

    /// <inheritdoc />
    public byte[]? Read(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public void Write(string path, byte[] content) => AtomicFile.Write(path, content);

    /// <inheritdoc />
    public void Delete(string path) => AtomicFile.Delete(path);
}
