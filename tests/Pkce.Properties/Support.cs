using Microsoft.Extensions.Time.Testing;

namespace Pkce.Properties;

/// <summary>Shared fixtures: a valid configuration, and unwrapping helpers that fail the test loudly.</summary>
internal static class Support
{
    public static readonly PkceSettings ValidSettings = new()
    {
        ClientId = "client-1",
        RedirectUri = "http://127.0.0.1:8000/callback",
        Scope = "read_api openid",
        AuthorizationEndpoint = "https://as.example/authorize",
        TokenEndpoint = "https://as.example/token",
        ExpectedIssuer = "https://as.example",
    };

    public static PkceConfig Config(PkceSettings? settings = null) => Right(Pkce.Config.Validate(settings ?? ValidSettings));

    public static T Right<T>(Either<PkceError, T> either) =>
        either.Match(value => value, error => throw new Xunit.Sdk.XunitException("expected Right, got " + error));

    public static PkceError Left<T>(Either<PkceError, T> either) =>
        either.Match(value => throw new Xunit.Sdk.XunitException("expected Left, got " + value), error => error);

    public static Either<PkceError, T> Run<T>(EitherAsync<PkceError, T> either) => either.ToEither().GetAwaiter().GetResult();

    public static UserKey User(string name) => Right(UserKey.From(name));

    public static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

    /// <summary>A pending authorization for fresh secrets, started now by <paramref name="user"/>.</summary>
    public static PendingAuthorization Pending(PkceConfig config, UserKey user, DateTimeOffset now) =>
        PendingAuthorization.For(config, Secrets.Generate(), user, now);

    /// <summary>A "random" source that plays the given bytes as one cycled stream, for reproducible secrets.</summary>
    public static RandomBytes Replay(byte[] bytes)
    {
        var position = 0;
        return destination =>
        {
            for (var i = 0; i < destination.Length; i++, position++)
                destination[i] = bytes.Length == 0 ? (byte)0 : bytes[position % bytes.Length];
        };
    }
}
