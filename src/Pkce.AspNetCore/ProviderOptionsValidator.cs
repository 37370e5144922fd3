using Microsoft.Extensions.Options;

namespace Pkce.AspNetCore;

/// <summary>
/// Validates each named provider when the app starts (<c>ValidateOnStart</c>), listing every problem at once: the
/// core's own checks (<see cref="Config.Validate"/>) plus what this package adds (a known client authentication, a
/// local return path, an issuer or endpoints). With an issuer, the endpoints come later from discovery, so the
/// issuer stands in for them here.
/// </summary>
internal sealed class ProviderOptionsValidator : IValidateOptions<PkceProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, PkceProviderOptions options)
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Authentication) && PkceProviderOptions.AuthenticationOf(options.Authentication) is null)
            problems.Add($"authentication '{ServerText.Printable(options.Authentication)}' is not basic, post or none");
        if (options.UseDpop && options.DpopAlgorithm is not ("ES256" or "RS256" or "PS256"))
            problems.Add($"DPoP algorithm '{ServerText.Printable(options.DpopAlgorithm ?? "")}' is not ES256, RS256 or PS256");
        if (!IsLocalPath(options.ReturnPath))
            problems.Add($"return path '{ServerText.Printable(options.ReturnPath ?? "")}' is not a path of this app (one leading '/', visible ASCII only)");
        var settings = options.Settings();
        if (!string.IsNullOrEmpty(options.Issuer))
        {
            if (!string.IsNullOrEmpty(options.RootUrl)) problems.Add("give the issuer or the root URL, not both");
            settings = settings with { RootUrl = options.Issuer.EndsWith('/') ? options.Issuer : options.Issuer + "/", AuthorizationPath = "authorize", TokenPath = "token" };
        }
        Config.Validate(settings).IfLeft(error =>
        {
            if (error is PkceError.InvalidConfiguration invalid) problems.AddRange(invalid.Problems);
            else problems.Add(error.Message);
        });
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(problem => $"Pkce provider '{name}': {problem}"));
    }

    /// <summary>
    /// A path of this app: one leading slash, no second one or backslash after it (which browsers read as another
    /// host), and only visible ASCII (a Location header carries nothing else; percent-encode the rest).
    /// </summary>
    internal static bool IsLocalPath(string? path) =>
        !string.IsNullOrEmpty(path) && path[0] == '/' && (path.Length == 1 || (path[1] != '/' && path[1] != '\\'))
        && path.All(c => c is > ' ' and < '\x7f');
}
