using Microsoft.Extensions.Logging;

namespace Pkce.AspNetCore;

/// <summary>
/// Every event the package logs, with a stable id (1xxx: connecting; 2xxx: using tokens). Events carry the provider,
/// error codes and the core's error messages, which never hold a secret; never a state, code, verifier, token or
/// client secret, at any level.
/// </summary>
internal static partial class PkceLog
{
    [LoggerMessage(1001, LogLevel.Information, "Connecting provider {Provider}: browser sent to the authorization endpoint")]
    public static partial void ConnectStarted(ILogger logger, string provider);

    [LoggerMessage(1002, LogLevel.Information, "Connected provider {Provider}")]
    public static partial void Connected(ILogger logger, string provider);

    [LoggerMessage(1003, LogLevel.Warning, "Connecting provider {Provider} failed: {Code}: {Reason}")]
    public static partial void ConnectFailed(ILogger logger, string provider, string code, string reason);

    [LoggerMessage(1004, LogLevel.Information, "Disconnected provider {Provider}")]
    public static partial void Disconnected(ILogger logger, string provider);

    [LoggerMessage(1005, LogLevel.Warning, "Disconnected provider {Provider}, but revoking at the provider failed: {Code}: {Reason}")]
    public static partial void RevocationFailed(ILogger logger, string provider, string code, string reason);

    [LoggerMessage(1006, LogLevel.Error, "A Pkce endpoint of provider {Provider} failed unexpectedly ({ExceptionType})")]
    public static partial void EndpointFailed(ILogger logger, string provider, string exceptionType);

    [LoggerMessage(1007, LogLevel.Warning, "A Pkce request refused: {Code}: {Reason}")]
    public static partial void RequestRefused(ILogger logger, string code, string reason);

    [LoggerMessage(2001, LogLevel.Debug, "Calling the API of provider {Provider} as the signed-in user")]
    public static partial void TokenAttached(ILogger logger, string provider);

    [LoggerMessage(2002, LogLevel.Information, "The API of provider {Provider} answered 401; refreshing the token once and retrying")]
    public static partial void RetryingAfter401(ILogger logger, string provider);

    [LoggerMessage(2003, LogLevel.Warning, "No usable token of provider {Provider} for the signed-in user: {Code}: {Reason}")]
    public static partial void TokenUnavailable(ILogger logger, string provider, string code, string reason);
}
