using LanguageExt;

namespace Pkce.Facade;

/// <summary>The one place where core errors become facade exceptions.</summary>
internal static class Errors
{
    public static Exception ToException(PkceError error) => error switch
    {
        PkceError.InvalidConfiguration e => new ImproperlyConfiguredException(e),
        PkceError.InvalidValue e => new PkceArgumentException(e),
        PkceError.AuthorizationDenied e => new AuthorizationDeniedException(e),
        PkceError.StateMissing or PkceError.StateMismatch or PkceError.StateUnknown or PkceError.StateExpired
            or PkceError.StateReplayed or PkceError.WrongUser or PkceError.IssuerMismatch or PkceError.IssuerMissing
            or PkceError.MalformedCallback => new StateForgeryException(error),
        PkceError.EndpointError e => new PkceFlowException(e, e.Error, e.ErrorDescription.IfNoneUnsafe((string?)null), e.Status, null),
        PkceError.UnexpectedResponse e => new PkceFlowException(e, null, null, e.Status, e.BodyExcerpt.IfNoneUnsafe((string?)null)),
        _ => new PkceFlowException(error, null, null, null, null),
    };

    public static T OrThrow<T>(this Either<PkceError, T> result) => result.Match(value => value, error => throw ToException(error));

    public static Task<T> OrThrow<T>(this EitherAsync<PkceError, T> result) => result.Match(value => value, error => throw ToException(error));
}
