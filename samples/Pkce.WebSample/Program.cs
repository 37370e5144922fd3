using Microsoft.Extensions.Options;
using Pkce.WebSample;

// `dotnet run --project samples/Pkce.WebSample` starts the sample on http://127.0.0.1:5080/ (Sample:Port) and, with no
// Pkce:Providers:gitlab settings, a local authorization server in-process; Ctrl-C stops both.
WebSampleHost host;
try
{
    host = await WebSampleHost.StartAsync(args);
}
catch (OptionsValidationException e)
{
    // Every problem of the provider's settings at once, e.g. "client id is missing" with --environment GitLab.
    Console.Error.WriteLine("Pkce web sample: the provider settings cannot be used:");
    foreach (var failure in e.Failures) Console.Error.WriteLine($"  {failure}");
    return 2;
}
await using (host)
{
    Console.WriteLine($"Pkce web sample: open {host.BaseUrl} and sign in as {WebSampleHost.UserName} (password {WebSampleHost.Password})");
    Console.WriteLine(host.Authority is { } authority
        ? $"provider gitlab: the local authority at {authority.Issuer} (no Pkce:Providers:gitlab settings), with a consent page"
        : "provider gitlab: as configured in Pkce:Providers:gitlab");
    await host.WaitForShutdownAsync();
}
return 0;
