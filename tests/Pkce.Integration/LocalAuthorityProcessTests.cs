using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Pkce.Integration.Cli;

namespace Pkce.Integration;

/// <summary>The standalone local authority (<c>dotnet Pkce.LocalAuthority.dll PORT</c>) as a process a service manager would run.</summary>
public sealed class LocalAuthorityProcessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);


    // Linux signal numbers (signal(7)); Process.Kill would send SIGKILL, which no program can handle.
    // SIGTERM only: a process started from a non-interactive shell's background job inherits SIGINT and SIGQUIT
    // as ignored (POSIX), and .NET keeps them ignored, so a test of those would depend on how CI was started.
    [Theory]
    [InlineData("SIGTERM", 15)]
    public async Task The_standalone_authority_exits_0_and_releases_its_port_on_a_termination_signal(string name, int signal)
    {
        Assert.True(OperatingSystem.IsLinux(), "signal numbers are Linux's");
        var port = Ports.Free();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Pkce.LocalAuthority.dll"), port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        using var process = Process.Start(start)!;
        var serving = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.StartsWith("serving", StringComparison.Ordinal) == true) serving.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await serving.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.False(Ports.IsFree(port), "the authority does not listen on its port");

            Assert.Equal(0, Kill(process.Id, signal));
            using var patience = new CancellationTokenSource(Patience);
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"still running {Patience.TotalSeconds} s after {name}; output:\n{output}");
            }
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode} after {name}; output:\n{output}");
            Assert.True(Ports.IsFree(port), $"port {port} still taken after {name}");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
