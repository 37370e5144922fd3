namespace Pkce.Cli;

/// <summary>
/// An exclusive lock between processes: an open lock file with <see cref="FileShare.None"/>, which .NET takes on Unix
/// as <c>flock(LOCK_EX | LOCK_NB)</c> and on Windows as a sharing mode. The kernel drops it when the holder's
/// process ends, however it ends, so a killed process never leaves a lock behind. Lock files are never deleted
/// (a deleted one could be locked twice through two inodes). .NET skips the lock when
/// <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> is set; the command refuses to write then.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _file;

    private FileLock(FileStream file) => _file = file;

    /// <summary>Whether .NET was told not to lock files, which would make every lock here a no-op.</summary>
    public static bool Disabled =>
        Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true" || AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var off) && off;

    /// <summary>Takes the lock of <paramref name="path"/> now, or returns null when another holder has it.</summary>
    public static FileLock? TryTake(string path)
    {
        if (Disabled) throw new IOException("file locking is disabled (DOTNET_SYSTEM_IO_DISABLEFILELOCKING); tokens cannot be written safely");
        try
        {
            return new FileLock(new FileStream(path, StateDirectory.FileOptions(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)));
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock of <paramref name="path"/>, waiting while another process holds it (holders keep it for a
    /// file write, milliseconds), up to <paramref name="patience"/>.
    /// </summary>
    public static async Task<FileLock> TakeAsync(string path, TimeSpan patience, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + patience;
        for (var wait = 1; ; wait = Math.Min(wait * 2, 20))
        {
            if (TryTake(path) is { } taken) return taken;
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"the lock {path} was held by another process for more than {patience.TotalSeconds:0} s");
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
