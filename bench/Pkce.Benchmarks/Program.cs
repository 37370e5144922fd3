using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/Pkce.Benchmarks -- --filter '*'` runs everything (docs/benchmarks.md);
// `-- --smoke` runs each benchmark once, for CI.
switch (args)
{
    case ["--serve-token-endpoint"]:
        await Pkce.Benchmarks.TokenEndpointServer.ServeAsync();
        return 0;
    case ["--smoke"]:
        return await Pkce.Benchmarks.Smoke.RunAsync();
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Pkce.Benchmarks.SecretsBenchmarks).Assembly).Run(args);
        return 0;
}
