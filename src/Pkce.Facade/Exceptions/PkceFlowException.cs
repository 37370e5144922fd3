namespace Pkce.Facade;

/// <summary>
/// The token request failed: the server answered an OAuth error (RFC 6749 §5.2) or something unexpected, could not
/// be reached, did not answer in time, or a store failed. The code is spent either way:
/// start a new flow rather than retrying. The server's texts are made printable (<see cref="ServerText.Printable"/>);
/// <see cref="PkceException.Error"/> holds them as received.
/// </summary>
public sealed class PkceFlowException : PkceException
{
    internal PkceFlowException(PkceError error, string? oauthError, string? description, int? statusCode, string? responseBody)
        : base(error) => (OAuthError, ErrorDescription, StatusCode, ResponseBody) =
            (Shown(oauthError), Shown(description), statusCode, responseBody);

    private static string? Shown(string? text) => text is null ? null : ServerText.Printable(text);

    /// <summary>The OAuth <c>error</c> code from the token endpoint (e.g. <c>invalid_grant</c>), if it sent one.</summary>
    public string? OAuthError { get; }

    /// <summary>The <c>error_description</c> from the token endpoint, if sent.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The HTTP status, if an answer came.</summary>
    public int? StatusCode { get; }

    /// <summary>The start of the body of a non-2xx answer that was not an OAuth error, made printable; never a 2xx body.</summary>
    public string? ResponseBody { get; }
}
