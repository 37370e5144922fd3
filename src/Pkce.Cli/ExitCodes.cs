namespace Pkce.Cli;

/// <summary>What the <c>pkce</c> command's exit status means.</summary>
public static class ExitCodes
{
    /// <summary>A token was obtained and printed on stdout.</summary>
    public const int Success = 0;

    /// <summary>The flow failed: callback refused, access denied, or the token request failed (reason on stderr).</summary>
    public const int FlowFailed = 1;

    /// <summary>The options are invalid (every problem on stderr).</summary>
    public const int InvalidOptions = 2;

    /// <summary>No callback arrived within <c>--timeout</c>.</summary>
    public const int TimedOut = 124;

    /// <summary>Interrupted (Ctrl-C).</summary>
    public const int Interrupted = 130;
}
