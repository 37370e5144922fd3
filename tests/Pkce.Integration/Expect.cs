namespace Pkce.Integration;

internal static class Expect
{
    public static T Right<T>(Either<PkceError, T> e) => e.Match(v => v, l => throw new Xunit.Sdk.XunitException("expected Right, got " + l));

    public static PkceError Left<T>(Either<PkceError, T> e) => e.Match(v => throw new Xunit.Sdk.XunitException("expected Left, got " + v), l => l);

    public static T Value<T>(Either<PkceError, T> e) => Right(e);

    public static async Task<T> Right<T>(EitherAsync<PkceError, T> e) => Right(await e.ToEither());

    public static async Task<PkceError> Left<T>(EitherAsync<PkceError, T> e) => Left(await e.ToEither());
}
