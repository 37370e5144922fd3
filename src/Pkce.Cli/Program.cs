using Pkce.Cli;

// `pkce token` with a fresh stored token is answered before the command line is even built (see QuickToken).
return QuickToken.TryRun(args) ?? Commands.RunAsync(args, Terminal.Console).GetAwaiter().GetResult();
