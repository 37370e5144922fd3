using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce.Cli;

/// <summary>The saved profiles and their tokens, in a <see cref="StateDirectory"/>.</summary>
public sealed class Profiles : IDisposable
{
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);

    private readonly FileTokenStore _files;
    private readonly Lazy<FileTokenStore> _secretService;

    /// <summary>
    /// Profiles and tokens under <paramref name="directory"/>; <paramref name="variable"/> gives <c>secret-tool</c>
    /// its environment for profiles whose tokens are in the Secret Service.
    /// </summary>
    public Profiles(StateDirectory directory, Func<string, string?> variable)
    {
        Directory = directory;
        _files = new FileTokenStore(directory.TokensPath, directory.Path);
        _secretService = new(() => new FileTokenStore(directory.TokensPath, directory.Path, new SecretServiceVault(variable)));
    }

    /// <summary>Where they are.</summary>
    public StateDirectory Directory { get; }

    /// <summary>The token store of <paramref name="profile"/>: files, or the Secret Service (with lock and lease files).</summary>
    public FileTokenStore TokensOf(Profile profile) => VaultOf(profile.Vault);

    private FileTokenStore VaultOf(string vault) => vault == SecretServiceVault.StoreName ? _secretService.Value : _files;

    /// <summary>The file of profile <paramref name="name"/>.</summary>
    public string PathOf(string name) => Path.Combine(Directory.ProfilesPath, name + ".json");

    /// <summary>The profile called <paramref name="name"/>: None if there is none, Left if its file cannot be read.</summary>
    public Either<string, Option<Profile>> Find(string name)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(PathOf(name));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Right<string, Option<Profile>>(None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot read {PathOf(name)}: {e.Message}";
        }
        return Profile.FromJson(content).Bind(p => p.Name == name
            ? Right<string, Option<Profile>>(Some(p))
            : Left<string, Option<Profile>>($"{PathOf(name)} holds profile '{p.Name}'")).MapLeft(problem => $"{PathOf(name)}: {problem}");
    }

    /// <summary>Every profile's name, sorted.</summary>
    public IReadOnlyList<string> Names() =>
        System.IO.Directory.Exists(Directory.ProfilesPath)
            ? [.. System.IO.Directory.EnumerateFiles(Directory.ProfilesPath, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!)
                .Where(Profile.IsValidName).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Writes <paramref name="profile"/> whole (0600, atomically, under its lock).</summary>
    public async Task SaveAsync(Profile profile, CancellationToken cancellationToken)
    {
        StateDirectory.Ensure(Directory.Path);
        StateDirectory.Ensure(Directory.ProfilesPath);
        var path = PathOf(profile.Name);
        using var held = await FileLock.TakeAsync(path + ".lock", LockPatience, cancellationToken);
        AtomicFile.Write(path, profile.ToJson(Path.GetFileName(TokensOf(profile).PathOf(profile.Key))));
    }

    /// <summary>Releases the token stores' leases.</summary>
    public void Dispose()
    {
        _files.Dispose();
        if (_secretService.IsValueCreated) _secretService.Value.Dispose();
    }
}
