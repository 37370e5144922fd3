using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;
using StackExchange.Redis;

namespace Pkce.Integration.Stores;

/// <summary>
/// Two processes sharing a token store, each with 200 concurrent callers of an expired token, send exactly one
/// refresh request between them, and every caller gets the same new access token: each process's single flight
/// covers its own callers, the store's lease covers the other process. The token endpoint rotates refresh tokens
/// and refuses a reused one, as a server with reuse detection does. Each burst re-seeds an expired token.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CrossProcessRefreshTests(RedisServer server) : IAsyncLifetime, IDisposable
{
    private const int Processes = 2;
    private const int CallersPerProcess = 200;
    private const int Bursts = 5;

    /// <summary>The worker in its own output folder, as the build recorded it (see Pkce.Integration.csproj).</summary>
    private static readonly string Worker = typeof(CrossProcessRefreshTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "RaceWorker").Value!;

    private readonly string _directory = Directory.CreateTempSubdirectory("pkce-race-").FullName;
    private TokenEndpointHost _endpoint = null!;
    private readonly RotatingRefreshGrants _grants = new(TimeSpan.FromMilliseconds(100));

    public async Task InitializeAsync()
    {
        _endpoint = await TokenEndpointHost.StartAsync();
        _endpoint.Respond = _grants.Respond;
    }

    public async Task DisposeAsync() => await _endpoint.DisposeAsync();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Two_processes_sharing_Redis_send_one_refresh_per_burst_and_all_callers_get_its_token()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        var prefix = $"race:{Guid.NewGuid():N}:";
        await RunBurstsAsync("Redis", new RedisTokenStore(redis, prefix).Ports, ["--redis", server.Configuration, "--prefix", prefix]);
    }

    [Fact]
    public async Task Two_processes_sharing_a_SQLite_file_send_one_refresh_per_burst_and_all_callers_get_its_token()
    {
        var path = Path.Combine(_directory, "tokens.db");
        await RunBurstsAsync("SQLite", new SqliteTokenStore(path).Ports, ["--sqlite", path]);
    }

    private async Task RunBurstsAsync(string name, TokenStore store, string[] storeArguments)
    {
        Assert.True(File.Exists(Worker), $"{Worker} is missing: building this project builds tests/Pkce.RaceWorker");
        var key = new TokenKey(UserKey.From($"racer-{Guid.NewGuid():N}").IfLeft(_ => null!), "api", "read write");
        for (var burst = 1; burst <= Bursts; burst++)
        {
            // An expired token whose refresh token is the endpoint's current one.
            var seed = new TokenSet($"at-expired-{burst}", "Bearer", Some(DateTimeOffset.UtcNow.AddHours(-1)), Some(_grants.Reset()), None, DateTimeOffset.UtcNow.AddHours(-2));
            var version = (await Expect.Right(store.Load(key, default))).Version;
            Assert.True(await Expect.Right(store.Swap(key, version, new StoredTokens(0, Some(seed), None), default)));

            var barrier = Path.Combine(_directory, $"go-{name}-{burst}");
            var workers = Enumerable.Range(0, Processes).Select(_ => WorkerProcess.Start(Worker,
            [
                "--token-endpoint", _endpoint.TokenEndpoint.AbsoluteUri, "--client-id", "race-client",
                "--user", key.User.Value, "--resource", key.Resource, "--scope", key.Scope,
                .. storeArguments, "--barrier", barrier, "--callers", CallersPerProcess.ToString(),
            ])).ToList();
            WorkerResult[] results;
            try
            {
                foreach (var worker in workers) await worker.ReadyAsync();
                await File.WriteAllTextAsync(barrier, "");
                results = await Task.WhenAll(workers.Select(w => w.ResultAsync()));
            }
            finally
            {
                foreach (var worker in workers) worker.Dispose();
            }

            var issued = Digest(_grants.LastAccessToken);
            Console.WriteLine($"cross-process report: {name} burst {burst}: {Processes} processes x {CallersPerProcess} callers; " +
                $"refresh requests {_grants.Refreshes + _grants.Reuses + _grants.Unknown} (answered with new tokens {_grants.Refreshes}, " +
                $"refused as reuse {_grants.Reuses}, refused as unknown {_grants.Unknown}); " +
                $"per process: {string.Join("; ", results.Select(r => $"succeeded {r.Succeeded}, refreshes sent {r.Refreshes}, distinct tokens {r.AccessTokens.Length}"))}");
            Assert.Equal((1, 0, 0), (_grants.Refreshes, _grants.Reuses, _grants.Unknown));
            Assert.All(results, r => Assert.True(r.Succeeded == CallersPerProcess, $"{r.Succeeded} of {CallersPerProcess} succeeded; first error: {r.FirstError}"));
            Assert.All(results, r => Assert.Equal(new[] { issued }, r.AccessTokens));
            Assert.Equal(1, results.Sum(r => r.Refreshes));
        }
    }

    private static string Digest(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private sealed record WorkerResult(int Callers, int Succeeded, string? FirstError, string[] AccessTokens, long Refreshes);

    /// <summary>A <c>dotnet Pkce.RaceWorker.dll</c> process: says "ready", waits for the barrier, prints one JSON line.</summary>
    private sealed class WorkerProcess : IDisposable
    {
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);
        private readonly Process _process;
        private readonly StringBuilder _errors = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<string> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private WorkerProcess(Process process) => _process = process;

        public static WorkerProcess Start(string dll, string[] arguments)
        {
            var process = new Process
            {
                StartInfo = new ProcessStartInfo("dotnet", [dll, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true },
                EnableRaisingEvents = true,
            };
            var worker = new WorkerProcess(process);
            process.OutputDataReceived += (_, line) =>
            {
                if (line.Data is null) worker._result.TrySetException(new InvalidOperationException($"the worker ended without a result: {worker.Errors}"));
                else if (line.Data == "ready") worker._ready.TrySetResult();
                else if (line.Data.StartsWith('{')) worker._result.TrySetResult(line.Data);
            };
            process.ErrorDataReceived += (_, line) =>
            {
                if (line.Data is null) return;
                lock (worker._errors) worker._errors.AppendLine(line.Data);
            };
            process.Exited += (_, _) => worker._ready.TrySetException(new InvalidOperationException($"the worker exited before it was ready: {worker.Errors}"));
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }

        private string Errors { get { lock (_errors) return _errors.ToString(); } }

        public Task ReadyAsync() => _ready.Task.WaitAsync(Patience);

        public async Task<WorkerResult> ResultAsync()
        {
            var line = await _result.Task.WaitAsync(Patience);
            return JsonSerializer.Deserialize<WorkerResult>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            _process.Dispose();
        }
    }
}
