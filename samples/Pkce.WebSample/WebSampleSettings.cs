namespace Pkce.WebSample;

/// <summary>
/// The sample's own settings, from the configuration section <c>Sample</c>: appsettings.json, the command line
/// (<c>--Sample:Port=0</c>) or the environment (<c>Sample__Port=0</c>). The provider's settings are not here: they
/// are <c>Pkce:Providers:gitlab:*</c>, read by <c>AddPkce</c>.
/// </summary>
public sealed class WebSampleSettings
{
    /// <summary>The port on 127.0.0.1 the sample listens on; 0 picks a free one (the tests do).</summary>
    public int Port { get; set; } = 5080;

    /// <summary>
    /// Where the SQLite file of pending connections and tokens and the Data Protection keys are kept; relative to
    /// the content root. Default <c>App_Data</c>.
    /// </summary>
    public string DataDirectory { get; set; } = "App_Data";

    /// <summary>Lifetime of the access tokens the in-process local authority issues (a few seconds to watch a refresh).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The API the home page calls as the user, when GitLab is configured.</summary>
    public string ApiUrl { get; set; } = "https://gitlab.com/api/v4/user";
}
