namespace Pkce.Cli;

/// <summary>
/// Where the command keeps profiles and tokens: <c>PKCE_STATE_DIR</c> when set (tests, several installations),
/// else the XDG Base Directory Specification's state home (<c>$XDG_STATE_HOME/pkce</c>, <c>~/.local/state/pkce</c>
/// when unset: "data that should persist between (application) restarts, but that is not important or portable
/// enough to the user that it should be stored in $XDG_DATA_HOME"), on Windows <c>%LOCALAPPDATA%\pkce</c>, on macOS
/// <c>~/Library/Application Support/pkce</c>. On Unix it is a 0700 directory and every file in it 0600.
/// </summary>
public sealed record StateDirectory(string Path)
{
    /// <summary>Owner read and write: the mode of every file written here.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner read, write and search: the mode of the directory and its subdirectories.</summary>
    public const UnixFileMode OwnerOnlyDirectory = OwnerOnly | UnixFileMode.UserExecute;

    /// <summary>The environment variable that overrides the location.</summary>
    public const string Variable = "PKCE_STATE_DIR";

    /// <summary>The directory named by the environment that <paramref name="variable"/> reads.</summary>
    public static StateDirectory From(Func<string, string?> variable)
    {
        if (variable(Variable) is { Length: > 0 } overridden) return new(System.IO.Path.GetFullPath(overridden));
        if (OperatingSystem.IsWindows())
            return new(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "pkce"));
        var home = variable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS()) return new(System.IO.Path.Combine(home, "Library", "Application Support", "pkce"));
        // XDG: "If $XDG_STATE_HOME is either not set or empty, a default equal to $HOME/.local/state should be used",
        // and a relative path in it is invalid and ignored.
        var state = variable("XDG_STATE_HOME") is { Length: > 0 } x && System.IO.Path.IsPathRooted(x) ? x : System.IO.Path.Combine(home, ".local", "state");
        return new(System.IO.Path.Combine(state, "pkce"));
    }

    /// <summary>Options to open a file in the state directory: created owner-only on Unix (Windows: the directory's ACL).</summary>
    public static FileStreamOptions FileOptions(FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        return options;
    }

    /// <summary>Where profiles are kept, one JSON file each.</summary>
    public string ProfilesPath => System.IO.Path.Combine(Path, "profiles");

    /// <summary>Where tokens are kept, one JSON file per token key.</summary>
    public string TokensPath => System.IO.Path.Combine(Path, "tokens");

    /// <summary>
    /// Creates <paramref name="directory"/> (and the state directory above it) owner-only, and takes group and other
    /// bits away from one that exists; called before anything is written, never on a read.
    /// </summary>
    public static void Ensure(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
            return;
        }
        var parent = System.IO.Path.GetDirectoryName(directory);
        if (parent is not null && !Directory.Exists(parent)) Ensure(parent);
        if (!Directory.Exists(directory)) Directory.CreateDirectory(directory, OwnerOnlyDirectory);
        if (File.GetUnixFileMode(directory) != OwnerOnlyDirectory) File.SetUnixFileMode(directory, OwnerOnlyDirectory);
    }
}
