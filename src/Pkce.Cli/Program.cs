using Pkce.Cli;

return await Commands.RunAsync(args, Terminal.Console);
