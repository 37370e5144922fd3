using System.Runtime.InteropServices;
using Pkce.LocalAuthority;

// Standalone: `dotnet run --project src/Pkce.LocalAuthority [-- PORT]` serves until SIGINT (Ctrl-C), SIGTERM (what
// service managers and `docker stop` send) or SIGQUIT. Each is handled, not left to its default, so the authority is
// disposed (Kestrel stops, the port is released) and the process exits 0.
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);

var port = args.Length > 0 && int.TryParse(args[0], out var p) ? p : 0;
await using var authority = await LocalAuthority.StartAsync(new LocalAuthorityOptions { Port = port });
Console.WriteLine($"issuer                 {authority.Issuer}");
Console.WriteLine($"authorization endpoint {authority.AuthorizationEndpoint}");
Console.WriteLine($"token endpoint         {authority.TokenEndpoint}");
Console.WriteLine($"introspection endpoint {authority.IntrospectionEndpoint}");
Console.WriteLine($"revocation endpoint    {authority.RevocationEndpoint}");
Console.WriteLine($"discovery              {authority.DiscoveryEndpoint}");
Console.WriteLine($"demo api (bearer)      {authority.ApiEndpoint}");
Console.WriteLine($"demo api (dpop)        {authority.DpopApiEndpoint}");
foreach (var client in authority.Clients)
    Console.WriteLine($"client {client.ClientId,-12} {client.Kind,-17} secret={client.ClientSecret ?? "(none)"} redirect={string.Join(",", client.RedirectUris)}");
Console.WriteLine("serving; Ctrl-C or SIGTERM stops");
await stop.Task;
