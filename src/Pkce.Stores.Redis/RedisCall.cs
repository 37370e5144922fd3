using LanguageExt;
using StackExchange.Redis;

namespace Pkce.Stores.Redis;

/// <summary>One Redis call of a store: cancellation honoured before sending, every Redis failure a typed store failure.</summary>
internal static class RedisCall
{
    public static EitherAsync<PkceError, T> Run<T>(CancellationToken cancellationToken, Func<Task<Either<PkceError, T>>> work) =>
        RunAsync(cancellationToken, work).ToAsync();

    private static async Task<Either<PkceError, T>> RunAsync<T>(CancellationToken cancellationToken, Func<Task<Either<PkceError, T>>> work)
    {
        // A command already sent cannot be recalled; a cancelled caller is told so before anything is sent.
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            return await work();
        }
        catch (RedisException e)
        {
            // StackExchange.Redis messages name the command and endpoint; keys and values are not included.
            return new PkceError.StoreFailure($"Redis: {e.GetType().Name}: {FirstLine(e.Message)}");
        }
        catch (RedisCommandException e)
        {
            // Refused by the client library before sending (a command the server cannot take).
            return new PkceError.StoreFailure($"Redis: {FirstLine(e.Message)}");
        }
        catch (TimeoutException e)
        {
            return new PkceError.StoreFailure($"Redis: timeout: {FirstLine(e.Message)}");
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
