using Microsoft.Extensions.Options;

namespace Pkce.AspNetCore;

/// <summary>Validates the settings every provider shares when the app starts, listing every problem.</summary>
internal sealed class SharedOptionsValidator : IValidateOptions<PkceAspNetCoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PkceAspNetCoreOptions options)
    {
        var problems = new List<string>();
        if (options.UserId is null) problems.Add("UserId is not set");
        if (options.ErrorPage is null) problems.Add("ErrorPage is not set");
        // RFC 6265 §4.1.1: a cookie-name is a token (RFC 2616 §2.2). The __Host- and __Secure- prefixes oblige the
        // browser to refuse the cookie unless it is Secure (and, for __Host-, has Path=/), which a binding cookie
        // scoped to its callback path is not always.
        if (string.IsNullOrEmpty(options.CookiePrefix) || !options.CookiePrefix.All(IsTokenChar))
            problems.Add($"cookie prefix '{ServerText.Printable(options.CookiePrefix ?? "")}' is not a cookie name (letters, digits and !#$%&'*+-.^_`|~)");
        else if (options.CookiePrefix.StartsWith("__Host-", StringComparison.OrdinalIgnoreCase) || options.CookiePrefix.StartsWith("__Secure-", StringComparison.OrdinalIgnoreCase))
            problems.Add("cookie prefix may not start with __Host- or __Secure- (the binding cookie's path is the callback's)");
        if (options.MaxStartsPerUser < 1) problems.Add("MaxStartsPerUser must be at least 1");
        if (options.RefreshMargin < TimeSpan.Zero) problems.Add("RefreshMargin must not be negative");
        if (options.MetadataLifetime <= TimeSpan.Zero) problems.Add("MetadataLifetime must be positive");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => $"Pkce: {p}"));
    }

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c);
}
