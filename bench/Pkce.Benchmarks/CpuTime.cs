using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;

namespace Pkce.Benchmarks;

/// <summary>
/// <c>-- --cpu-time CLASS [ROUNDS]</c>, for a machine shared with other work, where wall-clock means swing with the
/// neighbours' load (BenchmarkDotNet runs one method after the other, so a burst of load lands on one of them).
/// Runs the benchmark methods of CLASS in interleaved rounds (each method in turn, the order rotated every round),
/// for every combination of its parameters, and prints a markdown table of the CPU time this process spent per
/// operation (CLOCK_PROCESS_CPUTIME_ID: all its threads, so the app's and the client's; not the token endpoint's child
/// process) and the wall time, medians over the rounds, each with its ratio to the baseline method's. Waiting for a
/// core is not CPU time, and the load drifts over all methods alike, so these ratios hold where the means of a loaded
/// BenchmarkDotNet run do not. The warm-up lasts until 5 s have passed with no method compiled (the JIT's thread is CPU
/// time of this process too). It does not replace BenchmarkDotNet: no allocation count, no outlier statistics.
/// </summary>
public static class CpuTime
{
    private static readonly TimeSpan Share = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan WarmTime = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan QuietTime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxWarmTime = TimeSpan.FromSeconds(120);

    public static async Task<int> RunAsync(string className, int rounds)
    {
        var type = typeof(CpuTime).Assembly.GetTypes().SingleOrDefault(t => t.Name == className);
        if (type is null)
        {
            Console.Error.WriteLine($"no benchmark class {className}");
            return 2;
        }
        var methods = type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)
            .OrderBy(m => m.GetCustomAttribute<BenchmarkAttribute>()!.Baseline ? 0 : 1).ToArray();
        var parameters = type.GetProperties().Where(p => p.GetCustomAttribute<ParamsAttribute>() is not null).ToArray();
        Console.WriteLine($"{className}: {rounds} interleaved rounds, about {Share.TotalMilliseconds:0} ms per method per round, after a warm-up of at least {WarmTime.TotalSeconds:0} s whose last {QuietTime.TotalSeconds:0} s compiled no method; medians per operation");
        Console.WriteLine();
        Console.WriteLine($"| method |{string.Concat(parameters.Select(p => $" {p.Name} |"))} CPU time | ratio | wall time | ratio |");
        Console.WriteLine($"|---|{string.Concat(parameters.Select(_ => "---|"))}---:|---:|---:|---:|");
        var notes = new List<string>();
        foreach (var combination in Combinations(parameters))
        {
            var instance = Activator.CreateInstance(type)!;
            for (var i = 0; i < parameters.Length; i++) parameters[i].SetValue(instance, combination[i]);
            await Smoke.InvokeAsync(type, instance, typeof(GlobalSetupAttribute));
            // Warm, each method for a share of wall time per round, until the warm-up has lasted WarmTime and its last
            // QuietTime compiled nothing: the JIT's thread is CPU time of this process, and code that goes through many
            // generic methods kept tiering up for 5-10 s on the loaded machine, with pauses of over a second.
            var invokes = new int[methods.Length];
            var warming = Stopwatch.StartNew();
            var (quietSince, compiled) = (TimeSpan.Zero, JitInfo.GetCompiledMethodCount());
            while ((warming.Elapsed < WarmTime || warming.Elapsed - quietSince < QuietTime) && warming.Elapsed < MaxWarmTime)
            {
                for (var m = 0; m < methods.Length; m++) invokes[m] = await RunFor(methods[m], instance, Share);
                if (JitInfo.GetCompiledMethodCount() != compiled) (quietSince, compiled) = (warming.Elapsed, JitInfo.GetCompiledMethodCount());
            }
            var cpu = methods.Select(_ => new List<double>()).ToArray();
            var walls = methods.Select(_ => new List<double>()).ToArray();
            var jitted = JitInfo.GetCompiledMethodCount();
            for (var round = 0; round < rounds; round++)
                for (var k = 0; k < methods.Length; k++)
                {
                    var m = (round + k) % methods.Length;
                    var (used, wall) = await Measure(methods[m], instance, invokes[m]);
                    var operations = (double)invokes[m] * methods[m].GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
                    cpu[m].Add(used.TotalMicroseconds / operations);
                    walls[m].Add(wall.TotalMicroseconds / operations);
                }
            jitted = JitInfo.GetCompiledMethodCount() - jitted;
            await Smoke.InvokeAsync(type, instance, typeof(GlobalCleanupAttribute));
            notes.Add($"{(parameters.Length == 0 ? "all" : string.Join(", ", parameters.Select((p, i) => $"{p.Name}={combination[i]}")))}: warmed {warming.Elapsed.TotalSeconds:0} s, {jitted} methods compiled while measuring");
            var (cpu0, wall0) = (Median(cpu[0]), Median(walls[0]));
            for (var m = 0; m < methods.Length; m++)
                Console.WriteLine($"| {methods[m].GetCustomAttribute<BenchmarkAttribute>()!.Description ?? methods[m].Name} |{string.Concat(combination.Select(c => $" {c} |"))}"
                    + $" {Median(cpu[m]):N1} µs | {Median(cpu[m]) / cpu0:0.00} | {Median(walls[m]):N1} µs | {Median(walls[m]) / wall0:0.00} |");
        }
        Console.WriteLine();
        foreach (var note in notes) Console.WriteLine(note);
        return 0;
    }

    private static async Task<(TimeSpan Cpu, TimeSpan Wall)> Measure(MethodInfo method, object instance, int invokes)
    {
        var cpu = ProcessCpu();
        var wall = Stopwatch.GetTimestamp();
        for (var i = 0; i < invokes; i++) await Invoke(method, instance);
        return (ProcessCpu() - cpu, Stopwatch.GetElapsedTime(wall));
    }

    /// <summary>Invokes <paramref name="method"/> until <paramref name="time"/> has passed; how many times.</summary>
    private static async Task<int> RunFor(MethodInfo method, object instance, TimeSpan time)
    {
        var (count, started) = (0, Stopwatch.GetTimestamp());
        do
        {
            await Invoke(method, instance);
            count++;
        } while (Stopwatch.GetElapsedTime(started) < time);
        return count;
    }

    private static async Task Invoke(MethodInfo method, object instance)
    {
        if (method.Invoke(instance, null) is Task task) await task;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static IEnumerable<object?[]> Combinations(PropertyInfo[] parameters) =>
        parameters.Aggregate(new[] { Array.Empty<object?>() }.AsEnumerable(),
            (sofar, p) => sofar.SelectMany(c => p.GetCustomAttribute<ParamsAttribute>()!.Values.Select(v => c.Append(v).ToArray())));

    /// <summary>CPU time of all this process's threads, from the kernel's per-process clock (nanoseconds, not ticks).</summary>
    private static TimeSpan ProcessCpu() =>
        ClockGetTime(ProcessCpuTimeClock, out var time) == 0
            ? TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100)
            : throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");

    private const int ProcessCpuTimeClock = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc.so.6", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);
}
