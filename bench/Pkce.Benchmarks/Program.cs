using BenchmarkDotNet.Running;

// `dotnet run -c Release --project bench/Pkce.Benchmarks -- --filter '*'` runs everything; see docs/benchmarks.md.
if (args is ["--serve-token-endpoint"])
{
    await Pkce.Benchmarks.TokenEndpointServer.ServeAsync();
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Pkce.Benchmarks.SecretsBenchmarks).Assembly).Run(args);
