// One process of the cross-process refresh race. Usage:
//   dotnet Pkce.RaceWorker.dll --token-endpoint URL --client-id ID --user U --resource R --scope S
//       (--redis CONNECTION --prefix PREFIX | --sqlite PATH) --barrier FILE --callers N
// Builds a TokenSource over the shared store, prints "ready", waits until FILE exists, then runs N concurrent
// Get(key) calls and prints one JSON line: callers, succeeded, errors by code, the distinct access tokens as SHA-256
// hex (never the tokens), and how many refresh requests this process sent. Exit codes: 0 ran, 2 bad arguments,
// 3 the barrier never opened.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Pkce;
using Pkce.Http;
using Pkce.Stores.Redis;
using Pkce.Stores.Sqlite;
using StackExchange.Redis;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) return Usage($"expected an option, got '{args[i]}'");
    options[args[i][2..]] = args[i + 1];
}
string? Option(string name) => options.GetValueOrDefault(name);
if (Option("token-endpoint") is not { } tokenEndpoint || Option("client-id") is not { } clientId || Option("user") is not { } user
    || Option("barrier") is not { } barrier || !int.TryParse(Option("callers"), out var callers) || callers < 1)
    return Usage("--token-endpoint, --client-id, --user, --barrier and --callers are required");

var config = Config.Validate(new PkceSettings
{
    ClientId = clientId,
    TokenEndpoint = tokenEndpoint,
    AuthorizationEndpoint = new Uri(new Uri(tokenEndpoint), "authorize").AbsoluteUri,
    RedirectUri = "http://127.0.0.1:8000/callback",
    Timeout = TimeSpan.FromSeconds(10),
});
if (config.IsLeft) return Usage(config.Match(_ => "", e => e.ToString()));
var key = new TokenKey(UserKey.From(user).IfLeft(_ => throw new ArgumentException("bad user")), Option("resource") ?? "", Option("scope") ?? "");

await using var redis = Option("redis") is { } connection ? await ConnectionMultiplexer.ConnectAsync(connection) : null;
var store = redis is not null ? new RedisTokenStore(redis, Option("prefix") ?? RedisTokenStore.DefaultPrefix).Ports
    : Option("sqlite") is { } path ? new SqliteTokenStore(path).Ports
    : null;
if (store is null) return Usage("--redis or --sqlite is required");

using var http = HttpPort.Create();
var source = new TokenSource(config.Match(c => c, _ => null!), Dependencies.System(http), store);
var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
var calls = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
{
    await go.Task;
    return await source.Get(key, CancellationToken.None).ToEither();
})).ToArray();

Console.WriteLine("ready");
var giveUp = DateTime.UtcNow + TimeSpan.FromMinutes(1);
while (!File.Exists(barrier))
{
    if (DateTime.UtcNow > giveUp) return 3;
    await Task.Delay(1);
}
go.SetResult();
var results = await Task.WhenAll(calls);

var tokens = results.SelectMany(r => r.RightToSeq()).Select(t => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(t.AccessToken))));
Console.WriteLine(JsonSerializer.Serialize(new
{
    callers,
    succeeded = results.Count(r => r.IsRight),
    errors = results.SelectMany(r => r.LeftToSeq()).GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Count()),
    firstError = results.SelectMany(r => r.LeftToSeq()).Select(e => e.ToString()).FirstOrDefault(),
    accessTokens = tokens.Distinct().ToArray(),
    refreshes = source.Refreshes,
}));
return 0;

static int Usage(string problem)
{
    Console.Error.WriteLine($"Pkce.RaceWorker: {problem}");
    return 2;
}
