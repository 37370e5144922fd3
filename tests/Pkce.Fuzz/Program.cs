using Pkce.Fuzz;
using SharpFuzz;

// `Pkce.Fuzz TARGET` runs TARGET's harness under afl-fuzz: SharpFuzz's fork server, each input in a child process
// that it starts again after a crash. Outside afl-fuzz it runs the harness once on standard input, so
// `Pkce.Fuzz TARGET < FILE` shows what FILE throws.
if (args.Length != 1 || !Harnesses.Targets.TryGetValue(args[0], out var harness))
{
    Console.Error.WriteLine($"usage: Pkce.Fuzz TARGET < INPUT; targets: {string.Join(", ", Harnesses.Targets.Keys)}");
    return 2;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    harness(buffer.ToArray());
});
return 0;
