using System.Collections.Concurrent;
using Pkce.Facade;

namespace Pkce.Samples;

// README:manager
public class GitLabPkceFlowManager : PkceFlowManager<string>
{
    public override string ClientId => "our GitLab application id";
    public override string? ClientSecret => Environment.GetEnvironmentVariable("GITLAB_CLIENT_SECRET");
    public override string RedirectUri => "http://127.0.0.1:8000/oauth/gitlab/callback/";
    public override string RootUrl => "https://gitlab.com/oauth/";
    public override string? Scope => "read_api";

    // Stands in for your database: one row of secrets per user.
    private readonly ConcurrentDictionary<string, UserSecrets> _rows = new();

    protected override Task StoreUserSecretsAsync(string user, UserSecrets secrets, CancellationToken ct)
    {
        _rows[user] = secrets; // replaces the user's earlier secrets
        return Task.CompletedTask;
    }

    // Retrieve and delete in one atomic step, and only if the state matches (a compare-and-delete): a callback
    // is redeemed at most once, and a stray one cannot destroy the user's real flow.
    protected override Task<UserSecrets?> TakeUserSecretsAsync(string user, string state, CancellationToken ct) =>
        Task.FromResult(_rows.TryGetValue(user, out var row) && row.State == state && _rows.TryRemove(KeyValuePair.Create(user, row))
            ? row
            : null);
}
// README:end

public static class ManagerUsage
{
    public static async Task<string> LoginAsync(GitLabPkceFlowManager gitlabManager, string user)
    {
        // README:manager-login
        string url = await gitlabManager.GetAuthorizationUrlAsync(user); // makes and stores fresh secrets
        // README:end
        return url;
    }

    public static async Task<string> CallbackAsync(GitLabPkceFlowManager gitlabManager, string user, string? state, string? code, string? iss)
    {
        // README:manager-callback
        try
        {
            PkceTokenResponse tokenResp = await gitlabManager.FetchAccessTokenAsync(user, state, code, iss);
            string accessToken = tokenResp.AccessToken; // or tokenResp.Json.GetProperty("access_token").GetString()
            return $"signed in ({tokenResp.TokenType}, {accessToken.Length} characters)";
        }
        catch (StateForgeryException e)
        {
            return $"forged or stale callback: {e.Code}"; // the token endpoint was not called
        }
        catch (PkceFlowException e)
        {
            return $"token request failed: {e.OAuthError ?? e.Code} (HTTP {e.StatusCode})";
        }
        // README:end
    }
}
