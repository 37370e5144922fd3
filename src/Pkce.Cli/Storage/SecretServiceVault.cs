using System.Diagnostics;

namespace Pkce.Cli;

/// <summary>
/// The Linux Secret Service (freedesktop.org Secret Service API; gnome-keyring, KeePassXC) through libsecret's
/// <c>secret-tool</c>: each key's content is one item with the attributes <c>application=pkce</c> and
/// <c>token-file=NAME</c>, stored with <c>secret-tool store</c> (which replaces an item with the same attributes in
/// one step), read with <c>lookup</c> and removed with <c>clear</c>. The secret goes through standard input, never
/// the command line. Locks and leases stay files beside the store's directory: they hold no secret.
/// </summary>
/// <param name="Variable">Reads the environment passed on to <c>secret-tool</c> (<c>DBUS_SESSION_BUS_ADDRESS</c>).</param>
public sealed class SecretServiceVault(Func<string, string?> Variable) : ITokenVault
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>The value of <c>--token-store</c> and of a profile's <c>token_store</c>.</summary>
    public const string StoreName = "secret-service";

    /// <inheritdoc />
    public string Name => StoreName;

    /// <inheritdoc />
    public byte[]? Read(string path)
    {
        var (exit, output, error) = Run(["lookup", .. Attributes(path)], null);
        // secret-tool lookup exits 1, saying nothing, when no item matches.
        if (exit == 1 && error.Length == 0) return null;
        if (exit != 0) throw new IOException($"secret-tool lookup failed ({exit}): {ServerText.Printable(error.Trim())}");
        return System.Text.Encoding.UTF8.GetBytes(output);
    }

    /// <inheritdoc />
    public void Write(string path, byte[] content)
    {
        var label = path.EndsWith(ProfileKeys.Extension, StringComparison.Ordinal) ? "pkce DPoP key " : "pkce tokens ";
        var (exit, _, error) = Run(["store", "--label", label + Path.GetFileNameWithoutExtension(path), .. Attributes(path)], content);
        if (exit != 0) throw new IOException($"secret-tool store failed ({exit}): {ServerText.Printable(error.Trim())}");
    }

    /// <inheritdoc />
    public void Delete(string path)
    {
        var (exit, _, error) = Run(["clear", .. Attributes(path)], null);
        if (exit != 0 && error.Length > 0) throw new IOException($"secret-tool clear failed ({exit}): {ServerText.Printable(error.Trim())}");
    }

    private static string[] Attributes(string path) => ["application", "pkce", "token-file", Path.GetFileName(path)];

    private (int Exit, string Output, string Error) Run(string[] args, byte[]? input)
    {
        var start = new ProcessStartInfo("secret-tool", args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[] { "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR" })
            if (Variable(name) is { } value) start.Environment[name] = value;
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IOException("secret-tool could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"secret-tool is not installed (Debian: apt-get install libsecret-tools): {e.Message}", e);
        }
        using (process)
        {
            // One deadline for the exit and both reads: a child of secret-tool that keeps a pipe open must not hold us.
            using var deadline = new CancellationTokenSource(Patience);
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            try
            {
                if (input is not null) process.StandardInput.BaseStream.Write(input);
                process.StandardInput.Close();
                process.WaitForExitAsync(deadline.Token).GetAwaiter().GetResult();
                return (process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw new IOException($"secret-tool did not answer within {Patience.TotalSeconds:0} s (is the keyring locked?)", e);
            }
        }
    }
}
