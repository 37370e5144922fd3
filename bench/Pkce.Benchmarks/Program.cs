using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/Pkce.Benchmarks -- --filter '*'` runs everything (docs/benchmarks.md);
// `-- --smoke` runs each benchmark once, for CI; `-- --cpu-time CLASS [ROUNDS]` measures CPU time per operation in
// interleaved rounds, for a loaded machine.
switch (args)
{
    case ["--serve-token-endpoint"]:
        await Pkce.Benchmarks.TokenEndpointServer.ServeAsync();
        return 0;
    case ["--smoke"]:
        return await Pkce.Benchmarks.Smoke.RunAsync();
    case ["--cpu-time", var benchmarks]:
        return await Pkce.Benchmarks.CpuTime.RunAsync(benchmarks, 30);
    case ["--cpu-time", var benchmarks, var rounds]:
        return await Pkce.Benchmarks.CpuTime.RunAsync(benchmarks, int.Parse(rounds));
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Pkce.Benchmarks.SecretsBenchmarks).Assembly).Run(args);
        return 0;
}
