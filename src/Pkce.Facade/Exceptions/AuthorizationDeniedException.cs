namespace Pkce.Facade;

/// <summary>
/// The authorization server redirected back with an error (RFC 6749 §4.1.2.1), e.g. <c>access_denied</c> when the
/// user declined. Thrown only after the callback's state was verified. The server's texts are made printable
/// (<see cref="ServerText.Printable"/>); <see cref="PkceException.Error"/> holds them as received.
/// </summary>
public sealed class AuthorizationDeniedException : PkceException
{
    internal AuthorizationDeniedException(PkceError.AuthorizationDenied error) : base(error) =>
        (OAuthError, ErrorDescription, ErrorUri) = (ServerText.Printable(error.Error), error.ErrorDescription.Map(ServerText.Printable).IfNoneUnsafe((string?)null),
            error.ErrorUri.Map(ServerText.Printable).IfNoneUnsafe((string?)null));

    /// <summary>The <c>error</c> parameter, e.g. <c>access_denied</c>.</summary>
    public string OAuthError { get; }

    /// <summary>The <c>error_description</c> parameter, if sent.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The <c>error_uri</c> parameter, if sent.</summary>
    public string? ErrorUri { get; }
}
