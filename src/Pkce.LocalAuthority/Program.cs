using Pkce.LocalAuthority;

// Standalone: `dotnet run --project src/Pkce.LocalAuthority [-- PORT]` serves until Ctrl-C.
var port = args.Length > 0 && int.TryParse(args[0], out var p) ? p : 0;
await using var authority = await LocalAuthority.StartAsync(new LocalAuthorityOptions { Port = port });
Console.WriteLine($"issuer                 {authority.Issuer}");
Console.WriteLine($"authorization endpoint {authority.AuthorizationEndpoint}");
Console.WriteLine($"token endpoint         {authority.TokenEndpoint}");
Console.WriteLine($"introspection endpoint {authority.IntrospectionEndpoint}");
Console.WriteLine($"revocation endpoint    {authority.RevocationEndpoint}");
Console.WriteLine($"discovery              {authority.DiscoveryEndpoint}");
foreach (var client in authority.Clients)
    Console.WriteLine($"client {client.ClientId,-12} {client.Kind,-17} secret={client.ClientSecret ?? "(none)"} redirect={string.Join(",", client.RedirectUris)}");
Console.WriteLine("serving; Ctrl-C stops");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
