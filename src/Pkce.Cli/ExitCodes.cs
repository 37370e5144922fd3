namespace Pkce.Cli;

/// <summary>What the <c>pkce</c> command's exit status means.</summary>
public static class ExitCodes
{
    /// <summary>A token was obtained and printed on stdout.</summary>
    public const int Success = 0;

    /// <summary>
    /// The flow failed: callback refused, access denied, discovery or the token request failed, a refresh failed for
    /// a reason other than a refused refresh token (server unreachable: the stored tokens are kept), or the token
    /// store could not be read or written (reason on stderr).
    /// </summary>
    public const int FlowFailed = 1;

    /// <summary>The options are invalid (every problem on stderr), or the profile named does not exist.</summary>
    public const int InvalidOptions = 2;

    /// <summary>
    /// No valid token can be had without signing in again: the profile has no tokens, no refresh token, or the
    /// server refused the refresh token. Stderr says to run <c>pkce login --profile NAME</c>.
    /// </summary>
    public const int LoginRequired = 3;

    /// <summary>No callback arrived within <c>--timeout</c>.</summary>
    public const int TimedOut = 124;

    /// <summary>Interrupted (Ctrl-C).</summary>
    public const int Interrupted = 130;
}
