using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Pkce.Benchmarks;

/// <summary>
/// CI's pass over the benchmarks: every benchmark method runs once, with the first value of each parameter, through
/// its setup and cleanup, in seconds. Proves they compile and run; measures nothing.
/// </summary>
public static class Smoke
{
    public static async Task<int> RunAsync()
    {
        var failures = 0;
        foreach (var type in typeof(Smoke).Assembly.GetTypes().Where(t => t.GetMethods().Any(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null)).OrderBy(t => t.Name))
        {
            var instance = Activator.CreateInstance(type)!;
            foreach (var property in type.GetProperties().Where(p => p.GetCustomAttribute<ParamsAttribute>() is not null))
                property.SetValue(instance, property.GetCustomAttribute<ParamsAttribute>()!.Values[0]);
            await InvokeAsync(type, instance, typeof(GlobalSetupAttribute));
            foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute<BenchmarkAttribute>() is not null))
            {
                try
                {
                    await AwaitIfTask(method.Invoke(instance, null));
                    Console.WriteLine($"smoke: {type.Name}.{method.Name} ran");
                }
                catch (Exception e)
                {
                    failures++;
                    Console.WriteLine($"smoke: {type.Name}.{method.Name} FAILED: {(e as TargetInvocationException)?.InnerException ?? e}");
                }
            }
            await InvokeAsync(type, instance, typeof(GlobalCleanupAttribute));
        }
        Console.WriteLine(failures == 0 ? "smoke: all benchmarks ran" : $"smoke: {failures} benchmark(s) failed");
        return failures == 0 ? 0 : 1;
    }

    internal static async Task InvokeAsync(Type type, object instance, Type attribute)
    {
        foreach (var method in type.GetMethods().Where(m => m.GetCustomAttribute(attribute) is not null))
            await AwaitIfTask(method.Invoke(instance, null));
    }

    private static async Task AwaitIfTask(object? result)
    {
        if (result is Task task) await task;
    }
}
