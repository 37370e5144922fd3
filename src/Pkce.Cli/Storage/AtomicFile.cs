using System.Diagnostics;

namespace Pkce.Cli;

/// <summary>
/// Replaces a file whole or not at all: the new content goes to a temporary file in the same directory (created
/// 0600), is flushed to disk (<c>fsync</c>), and is renamed over the old file. A rename within a directory is atomic
/// (POSIX <c>rename(2)</c>: "If newpath already exists, it will be atomically replaced"), so a reader or a process
/// killed at any point sees the old content or the new, never a part or nothing; the fsync before the rename keeps a
/// crash of the machine from leaving a renamed but empty file. Writers of one file serialise on its
/// <see cref="FileLock"/>, and the one holding it removes temporary files that killed writers left behind.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Test hook: when this environment variable is <c>before-rename</c>, the process kills itself (SIGKILL, no
    /// clean-up) after the temporary file is written and before it is renamed, as a crash at the worst moment would.
    /// </summary>
    public const string CrashVariable = "PKCE_TEST_CRASH";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically; the caller holds the file's lock.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(path)!;
        RemoveLeftovers(path);
        var temporary = Path.Combine(directory, $"{TemporaryPrefix(path)}{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, StateDirectory.FileOptions(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            if (Environment.GetEnvironmentVariable(CrashVariable) == "before-rename") Process.GetCurrentProcess().Kill();
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Deletes <paramref name="path"/>; the caller holds the file's lock.</summary>
    public static void Delete(string path)
    {
        RemoveLeftovers(path);
        File.Delete(path);
    }

    /// <summary>Temporary files of <paramref name="path"/> left by writers that were killed before their rename.</summary>
    public static IEnumerable<string> Leftovers(string path) =>
        Directory.Exists(Path.GetDirectoryName(path)) ? Directory.EnumerateFiles(Path.GetDirectoryName(path)!, TemporaryPrefix(path) + "*.tmp") : [];

    private static void RemoveLeftovers(string path)
    {
        foreach (var leftover in Leftovers(path)) File.Delete(leftover);
    }

    private static string TemporaryPrefix(string path) => $".{Path.GetFileName(path)}.";
}
