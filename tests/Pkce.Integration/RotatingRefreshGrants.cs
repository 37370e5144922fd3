using Microsoft.AspNetCore.Http;

namespace Pkce.Integration;

/// <summary>
/// A <see cref="TokenEndpointHost.Respond"/> that answers refresh grants like a server with rotation and reuse
/// detection (RFC 9700 §4.14.2): the current refresh token is good once and is answered with a new access token and a
/// new refresh token; a spent or unknown one gets 400 <c>invalid_grant</c>, and is counted. Each answer waits
/// <c>delay</c> after the token was judged, so a refresh stays in flight long enough for callers to pile up.
/// </summary>
public sealed class RotatingRefreshGrants(TimeSpan delay)
{
    private readonly object _gate = new();
    private readonly System.Collections.Generic.HashSet<string> _spent = new(StringComparer.Ordinal);
    private string _current = "";
    private string _lastAccessToken = "";
    private int _refreshes, _reuses, _unknown;

    /// <summary>Refresh requests answered with new tokens since the last <see cref="Reset"/>.</summary>
    public int Refreshes { get { lock (_gate) return _refreshes; } }

    /// <summary>Requests that presented a refresh token already redeemed.</summary>
    public int Reuses { get { lock (_gate) return _reuses; } }

    /// <summary>Requests that presented a refresh token never issued, or that were not refresh grants.</summary>
    public int Unknown { get { lock (_gate) return _unknown; } }

    /// <summary>The access token of the last successful refresh.</summary>
    public string LastAccessToken { get { lock (_gate) return _lastAccessToken; } }

    /// <summary>Starts a new grant: returns its refresh token (to seed a store with) and zeroes the counters.</summary>
    public string Reset()
    {
        lock (_gate)
        {
            if (_current.Length > 0) _spent.Add(_current);
            _current = "rt-seed-" + Guid.NewGuid().ToString("N");
            (_refreshes, _reuses, _unknown, _lastAccessToken) = (0, 0, 0, "");
            return _current;
        }
    }

    /// <summary>A configuration of a public client whose token endpoint is <paramref name="endpoint"/>.</summary>
    public static PkceConfig ConfigFor(TokenEndpointHost endpoint) => Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "race-client", RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = new Uri(endpoint.BaseAddress, "authorize").AbsoluteUri, TokenEndpoint = endpoint.TokenEndpoint.AbsoluteUri,
        Timeout = TimeSpan.FromSeconds(10),
    }).Match(c => c, e => throw new InvalidOperationException(e.ToString()));

    public async Task Respond(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var presented = form["grant_type"] == "refresh_token" ? form["refresh_token"].ToString() : "";
        object answer;
        lock (_gate)
        {
            if (presented.Length > 0 && presented == _current)
            {
                _spent.Add(_current);
                _refreshes++;
                _current = "rt-" + Guid.NewGuid().ToString("N");
                _lastAccessToken = "at-" + Guid.NewGuid().ToString("N");
                answer = new { access_token = _lastAccessToken, token_type = "Bearer", expires_in = 3600, refresh_token = _current };
            }
            else
            {
                if (_spent.Contains(presented)) _reuses++;
                else _unknown++;
                answer = new { error = "invalid_grant" };
            }
        }
        await Task.Delay(delay);
        await Results.Json(answer, statusCode: answer.GetType().GetProperty("error") is null ? 200 : 400).ExecuteAsync(context);
    }
}
