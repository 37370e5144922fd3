using System.Diagnostics;
using System.Text.Json;
using Pkce.Cli;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Cli;

/// <summary>
/// The everyday loop against the local authority: <c>pkce login --profile</c> once (discovery, PAR), then
/// <c>pkce token</c>, <c>refresh</c>, <c>logout</c> and <c>profiles</c>, in-process and as real processes sharing a
/// state directory of the test's own.
/// </summary>
public sealed class ProfileTests(CliAuthorityFixture fixture, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<CliAuthorityFixture>, IDisposable
{
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly string _state = Directory.CreateTempSubdirectory("pkce-state-").FullName;

    private LocalAuthority.LocalAuthority Authority => fixture.Authority;

    public void Dispose()
    {
        _browser.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    /// <summary>Plays the browser: follows the authorization redirect to the callback.</summary>
    private OpenBrowser Follow => async (url, ct) =>
    {
        using var authorization = await _browser.GetAsync(url, ct);
        _ = _browser.GetAsync(authorization.Headers.Location!, ct).ContinueWith(t => t.Result.Dispose(), TaskScheduler.Default);
        return true;
    };

    private async Task<(int Exit, string Out, string Error)> RunAsync(string[] args, string? stdin = null, string? secret = null, OpenBrowser? browser = null)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false)
        {
            In = new StringReader(stdin ?? ""),
            Variable = name => name switch
            {
                StateDirectory.Variable => _state,
                "PKCE_CLIENT_SECRET" => secret,
                _ => null,
            },
        };
        var exit = await Commands.RunAsync(args, terminal, browser ?? Follow);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary><c>pkce login --profile NAME --issuer ISSUER</c>: endpoints from discovery.</summary>
    private async Task<(int Exit, string Out, string Error)> LoginAsync(string profile, LocalClient client, LocalAuthority.LocalAuthority? authority = null)
    {
        authority ??= Authority;
        string[] args =
        [
            "login", "--profile", profile, "--issuer", authority.Issuer.AbsoluteUri, "--client-id", client.ClientId,
            "--scope", "api offline_access", "--redirect-uri", fixture.RedirectUri,
        ];
        var result = await RunAsync(args, secret: client.ClientSecret);
        Assert.True(result.Exit == ExitCodes.Success, result.Error);
        return result;
    }

    private Profiles Open() => new(new StateDirectory(_state), _ => null);

    private async Task<(Profile Profile, StoredTokens Stored)> StoredAsync(string name)
    {
        using var profiles = Open();
        var profile = profiles.Find(name).IfLeft(problem => throw new Xunit.Sdk.XunitException(problem)).IfNone(() => throw new Xunit.Sdk.XunitException("no profile"));
        return (profile, await Expect.Right(profiles.TokensOf(profile).Load(profile.Key, default)));
    }

    /// <summary>Moves the stored access token's expiry into the past, as time passing would (through the store's own compare-and-swap).</summary>
    private async Task<TokenSet> ExpireAsync(string name)
    {
        var (profile, stored) = await StoredAsync(name);
        var tokens = stored.Tokens.IfNone(() => throw new Xunit.Sdk.XunitException("no tokens"));
        using var profiles = Open();
        Assert.True(await Expect.Right(profiles.TokensOf(profile).Swap(profile.Key, stored.Version,
            stored with { Tokens = Some(tokens with { ExpiresAt = Some(DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1)) }) }, default)));
        return tokens;
    }

    private static string AccessTokenOf(StoredTokens stored) => stored.Tokens.Map(t => t.AccessToken).IfNone(() => throw new Xunit.Sdk.XunitException("no tokens"));

    [Fact]
    public async Task Login_with_discovery_and_a_profile_prints_nothing_on_stdout_and_saves_settings_without_the_secret()
    {
        var pushed = Authority.PushedRequests;
        var (_, stdout, stderr) = await LoginAsync("basic", Authority.Basic);
        Assert.Equal("", stdout);
        Assert.Contains("pkce: discovering the endpoints of " + Authority.Issuer.AbsoluteUri, stderr);
        Assert.Equal(pushed + 1, Authority.PushedRequests);
        Assert.Contains("pkce: print it with: pkce token --profile basic", stderr);

        var (profile, stored) = await StoredAsync("basic");
        Assert.Equal(Authority.TokenEndpoint.AbsoluteUri, profile.Server.TokenEndpoint);
        Assert.Equal(Authority.RevocationEndpoint.AbsoluteUri, profile.Server.RevocationEndpoint);
        Assert.Equal(("basic", Authority.Issuer.AbsoluteUri), (profile.Server.ClientAuth, profile.Server.ExpectedIssuer));
        Assert.True((await Authority.IntrospectAsync(AccessTokenOf(stored))).Active);
        Assert.True(stored.Tokens.Exists(t => t.RefreshToken.IsSome));
        foreach (var file in Directory.EnumerateFiles(_state, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(Authority.Basic.ClientSecret!, File.ReadAllText(file));
    }

    [Fact]
    public async Task With_discovery_the_metadata_decides_that_the_callback_must_carry_iss()
    {
        OpenBrowser withoutIss = async (url, ct) =>
        {
            using var authorization = await _browser.GetAsync(url, ct);
            var callback = System.Text.RegularExpressions.Regex.Replace(authorization.Headers.Location!.OriginalString, "&iss=[^&]*", "");
            _ = _browser.GetAsync(callback, ct).ContinueWith(t => t.Result.Dispose(), TaskScheduler.Default);
            return true;
        };
        var (exit, stdout, stderr) = await RunAsync(["login", "--profile", "iss", "--issuer", Authority.Issuer.AbsoluteUri, "--client-id", Authority.Public.ClientId,
            "--redirect-uri", fixture.RedirectUri], browser: withoutIss);
        Assert.Equal((ExitCodes.FlowFailed, ""), (exit, stdout));
        Assert.Contains($"pkce: issuer_missing: the callback has no iss parameter, and '{Authority.Issuer.AbsoluteUri}' always sends one", stderr);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task State_directory_and_every_file_in_it_are_readable_by_their_owner_only()
    {
        // An existing state directory with loose modes is tightened on the first write.
        File.SetUnixFileMode(_state, (UnixFileMode)Convert.ToInt32("755", 8));
        await LoginAsync("modes", Authority.Public);
        await ExpireAsync("modes");
        Assert.Equal(ExitCodes.Success, (await RunAsync(["token", "--profile", "modes"])).Exit);
        var directories = Directory.EnumerateDirectories(_state, "*", SearchOption.AllDirectories).Append(_state).ToList();
        var files = Directory.EnumerateFiles(_state, "*", SearchOption.AllDirectories).ToList();
        Assert.Equal(3, directories.Count);
        Assert.Contains(files, f => f.EndsWith(".lease", StringComparison.Ordinal));
        Assert.All(directories, d => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(d)));
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task Token_prints_only_what_was_asked_and_sends_no_request_while_it_is_fresh()
    {
        await LoginAsync("fresh", Authority.Public);
        var access = AccessTokenOf((await StoredAsync("fresh")).Stored);
        var before = Authority.TokenRequests;

        var plain = await RunAsync(["token", "--profile", "fresh"]);
        Assert.Equal((ExitCodes.Success, access + Environment.NewLine, ""), plain);
        // The same answers come from the files alone, before the command line is built.
        string? Quick(params string[] args) =>
            QuickToken.Answer(args, name => name == StateDirectory.Variable ? _state : null, DateTimeOffset.UtcNow) is { } line ? System.Text.Encoding.ASCII.GetString(line) : null;
        Assert.Equal(access + "\n", Quick("token", "--profile", "fresh"));
        Assert.Equal($"Authorization: Bearer {access}\n", Quick("token", "--header", "--profile=fresh"));
        Assert.Null(Quick("token", "--profile", "fresh", "--json"));
        Assert.Null(Quick("token", "--profile", "nobody"));
        Assert.Null(QuickToken.Answer(["token", "--profile", "fresh"], name => name == StateDirectory.Variable ? _state : null, DateTimeOffset.UtcNow + TimeSpan.FromDays(1)));
        var header = await RunAsync(["token", "--profile", "fresh", "--header"]);
        Assert.Equal((ExitCodes.Success, $"Authorization: Bearer {access}{Environment.NewLine}", ""), header);
        var json = await RunAsync(["token", "--profile", "fresh", "--json"]);
        Assert.Equal((ExitCodes.Success, ""), (json.Exit, json.Error));
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(access, document.RootElement.GetProperty("access_token").GetString());
        Assert.InRange(document.RootElement.GetProperty("expires_in").GetInt64(), 3000, 3600);
        Assert.False(document.RootElement.TryGetProperty("refresh_token", out _));

        Assert.Equal(before, Authority.TokenRequests);
        Assert.Equal(ExitCodes.InvalidOptions, (await RunAsync(["token", "--profile", "fresh", "--json", "--header"])).Exit);
    }

    [Fact]
    public async Task An_expired_token_is_refreshed_once_with_the_secret_from_the_environment_and_the_rotated_tokens_are_kept()
    {
        await LoginAsync("expired", Authority.Basic);
        var old = await ExpireAsync("expired");

        var withoutSecret = await RunAsync(["token", "--profile", "expired"]);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (withoutSecret.Exit, withoutSecret.Out));
        Assert.Contains("pkce: invalid options: profile expired's client authenticates with a secret: set PKCE_CLIENT_SECRET", withoutSecret.Error);

        var before = Authority.TokenRequests;
        var (exit, stdout, stderr) = await RunAsync(["token", "--profile", "expired"], secret: Authority.Basic.ClientSecret);
        Assert.Equal((ExitCodes.Success, ""), (exit, stderr));
        var renewed = stdout.TrimEnd('\n');
        Assert.NotEqual(old.AccessToken, renewed);
        Assert.Equal(before + 1, Authority.TokenRequests);
        Assert.True((await Authority.IntrospectAsync(renewed)).Active);
        var stored = (await StoredAsync("expired")).Stored.Tokens.IfNone(() => throw new InvalidOperationException());
        Assert.Equal(renewed, stored.AccessToken);
        Assert.NotEqual(old.RefreshToken, stored.RefreshToken);

        Assert.Equal(stdout, (await RunAsync(["token", "--profile", "expired"])).Out);
        Assert.Equal(before + 1, Authority.TokenRequests);
    }

    [Fact]
    public async Task A_token_that_really_expired_is_refreshed_and_the_new_one_is_active()
    {
        var shortLived = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions
        {
            RedirectUris = [fixture.RedirectUri], AccessTokenLifetime = TimeSpan.FromSeconds(3),
        });
        await using (shortLived)
        {
            await LoginAsync("short", shortLived.Public, shortLived);
            var old = AccessTokenOf((await StoredAsync("short")).Stored);
            await Task.Delay(TimeSpan.FromSeconds(4));
            Assert.False((await shortLived.IntrospectAsync(old)).Active);
            var before = shortLived.TokenRequests;
            var (exit, stdout, stderr) = await RunAsync(["token", "--profile", "short"]);
            Assert.Equal((ExitCodes.Success, ""), (exit, stderr));
            Assert.NotEqual(old + "\n", stdout);
            Assert.True((await shortLived.IntrospectAsync(stdout.TrimEnd('\n'))).Active);
            Assert.Equal(before + 1, shortLived.TokenRequests);
        }
    }

    [Fact]
    public async Task A_refused_refresh_token_exits_3_saying_to_log_in_and_login_if_needed_signs_in_again()
    {
        await LoginAsync("refused", Authority.Public);
        var old = await ExpireAsync("refused");

        // The refresh token is redeemed elsewhere (the one-off form, from stdin), so the stored one is refused.
        var oneOff = await RunAsync(["refresh", "--issuer", Authority.Issuer.AbsoluteUri, "--client-id", Authority.Public.ClientId, "--refresh-token", "-"],
            stdin: old.RefreshToken.IfNone("") + "\n");
        Assert.True(oneOff.Exit == ExitCodes.Success, oneOff.Error);
        using (var response = JsonDocument.Parse(oneOff.Out))
            Assert.True((await Authority.IntrospectAsync(response.RootElement.GetProperty("access_token").GetString()!)).Active);

        var before = Authority.TokenRequests;
        var refused = await RunAsync(["token", "--profile", "refused"]);
        Assert.Equal((ExitCodes.LoginRequired, ""), (refused.Exit, refused.Out));
        Assert.Contains("pkce: login required: the server refused the refresh token (invalid_grant)", refused.Error);
        Assert.Contains("pkce: run: pkce login --profile refused", refused.Error);
        Assert.Equal(before + 1, Authority.TokenRequests);
        // Marked: the next call fails at once, without a request.
        Assert.Equal(ExitCodes.LoginRequired, (await RunAsync(["token", "--profile", "refused"])).Exit);
        Assert.Equal(before + 1, Authority.TokenRequests);

        var again = await RunAsync(["token", "--profile", "refused", "--login-if-needed"]);
        Assert.Equal(ExitCodes.Success, again.Exit);
        Assert.True((await Authority.IntrospectAsync(again.Out.TrimEnd('\n'))).Active);
        Assert.Equal(again.Out, (await RunAsync(["token", "--profile", "refused"])).Out);
    }

    [Fact]
    public async Task Refresh_with_a_profile_renews_now_and_the_one_off_form_takes_only_stdin()
    {
        await LoginAsync("forced", Authority.Public);
        var first = AccessTokenOf((await StoredAsync("forced")).Stored);
        var (exit, stdout, _) = await RunAsync(["refresh", "--profile", "forced"]);
        Assert.Equal(ExitCodes.Success, exit);
        Assert.NotEqual(first + Environment.NewLine, stdout);
        Assert.Equal(stdout, (await RunAsync(["token", "--profile", "forced"])).Out);

        var literal = await RunAsync(["refresh", "--issuer", Authority.Issuer.AbsoluteUri, "--client-id", "x", "--refresh-token", "abc"]);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (literal.Exit, literal.Out));
        Assert.Contains("pkce: invalid options: --refresh-token takes only '-' (read the refresh token from stdin), or use --profile NAME", literal.Error);
        Assert.Equal(ExitCodes.InvalidOptions, (await RunAsync(["refresh", "--profile", "forced", "--refresh-token", "-"])).Exit);
    }

    [Fact]
    public async Task Logout_revokes_so_introspection_says_inactive_and_the_next_token_call_needs_a_login()
    {
        await LoginAsync("logout", Authority.Post);
        var access = AccessTokenOf((await StoredAsync("logout")).Stored);
        var (exit, stdout, stderr) = await RunAsync(["logout", "--profile", "logout"], secret: Authority.Post.ClientSecret);
        Assert.Equal((ExitCodes.Success, ""), (exit, stdout));
        Assert.Contains("pkce: revoked the tokens of profile logout at the server (RFC 7009) and deleted them", stderr);
        Assert.False((await Authority.IntrospectAsync(access)).Active);
        Assert.True((await StoredAsync("logout")).Stored.Tokens.IsNone);
        var after = await RunAsync(["token", "--profile", "logout"]);
        Assert.Equal(ExitCodes.LoginRequired, after.Exit);
        Assert.Contains("pkce: run: pkce login --profile logout", after.Error);
    }

    [Fact]
    public async Task Logout_with_the_server_gone_deletes_the_tokens_and_warns_that_the_server_was_not_told()
    {
        var gone = await LocalAuthority.LocalAuthority.StartAsync(new LocalAuthorityOptions { RedirectUris = [fixture.RedirectUri] });
        await using (gone) await LoginAsync("offline", gone.Public, gone);
        var (exit, stdout, stderr) = await RunAsync(["logout", "--profile", "offline"]);
        Assert.Equal((ExitCodes.Success, ""), (exit, stdout));
        Assert.Contains("pkce: warning: the server was not told (transport_failure:", stderr);
        Assert.True((await StoredAsync("offline")).Stored.Tokens.IsNone);
    }

    [Fact]
    public async Task Profiles_lists_issuer_scope_and_expiry_and_no_token_or_secret()
    {
        await LoginAsync("listed", Authority.Basic);
        var stored = (await StoredAsync("listed")).Stored.Tokens.IfNone(() => throw new InvalidOperationException());
        var (exit, stdout, stderr) = await RunAsync(["profiles"]);
        Assert.Equal((ExitCodes.Success, ""), (exit, stderr));
        var line = Assert.Single(stdout.Split('\n'), l => l.StartsWith("listed ", StringComparison.Ordinal));
        Assert.Matches($@"^listed +{System.Text.RegularExpressions.Regex.Escape(Authority.Issuer.AbsoluteUri)} +api offline_access +file +valid until \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ, refresh token stored$", line);
        Assert.Contains($"store file: tokens in files under {Path.Combine(_state, "tokens")}, readable by their owner only (no credential store)", stdout);
        Assert.DoesNotContain(stored.AccessToken, stdout);
        Assert.DoesNotContain(stored.RefreshToken.IfNone("-"), stdout);
        Assert.DoesNotContain(Authority.Basic.ClientSecret!, stdout);
    }

    [Fact]
    public async Task An_unknown_profile_is_an_invalid_option_naming_how_to_create_it()
    {
        var (exit, stdout, stderr) = await RunAsync(["token", "--profile", "nobody"]);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (exit, stdout));
        Assert.Contains("create it with: pkce login --profile nobody --issuer URL --client-id ID", stderr);
        Assert.Equal(ExitCodes.InvalidOptions, (await RunAsync(["token", "--profile", "../etc"])).Exit);
        var badIssuer = await RunAsync(["login", "--profile", "bad", "--issuer", "http://auth.example/", "--client-id", "x", "--redirect-uri", fixture.RedirectUri]);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (badIssuer.Exit, badIssuer.Out));
        Assert.Contains("pkce: invalid options: invalid issuer: 'http://auth.example/' uses http on a non-loopback host", badIssuer.Error);
        Assert.Equal(ExitCodes.InvalidOptions, (await RunAsync(["refresh", "--issuer", "http://auth.example/", "--client-id", "x", "--refresh-token", "-"], stdin: "r\n")).Exit);
    }

    /// <summary>Runs the built command as a process of its own, with the test's state directory.</summary>
    private async Task<(int Exit, string Out, string Error)> ProcessAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "pkce.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment[StateDirectory.Variable] = _state;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task A_token_process_prints_only_the_fresh_token_or_header_and_sends_no_request()
    {
        await LoginAsync("process", Authority.Public);
        var access = AccessTokenOf((await StoredAsync("process")).Stored);
        var before = Authority.TokenRequests;
        Assert.Equal((ExitCodes.Success, access + "\n", ""), await ProcessAsync(["token", "--profile", "process"]));
        Assert.Equal((ExitCodes.Success, $"Authorization: Bearer {access}\n", ""), await ProcessAsync(["token", "--header", "--profile=process"]));
        var json = await ProcessAsync(["token", "--profile", "process", "--json"]);
        Assert.Equal((ExitCodes.Success, ""), (json.Exit, json.Error));
        using (var document = JsonDocument.Parse(json.Out)) Assert.Equal(access, document.RootElement.GetProperty("access_token").GetString());
        Assert.Equal(before, Authority.TokenRequests);
        var unknown = await ProcessAsync(["token", "--profile", "nobody"]);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (unknown.Exit, unknown.Out));
    }

    [Fact]
    public async Task Ten_token_processes_started_at_once_for_an_expired_token_send_one_refresh_request()
    {
        await LoginAsync("parallel", Authority.Public);
        for (var burst = 0; burst < 3; burst++)
        {
            var old = await ExpireAsync("parallel");
            var before = Authority.TokenRequests;
            var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ProcessAsync(["token", "--profile", "parallel"])));
            Assert.All(results, r => Assert.True(r.Exit == ExitCodes.Success, r.Error));
            var tokens = results.Select(r => r.Out).Distinct().ToList();
            output.WriteLine($"burst {burst + 1}: 10 processes, {Authority.TokenRequests - before} refresh request(s), {tokens.Count} distinct token(s)");
            Assert.Single(tokens);
            Assert.NotEqual(old.AccessToken + "\n", tokens[0]);
            Assert.Equal(before + 1, Authority.TokenRequests);
            Assert.True((await Authority.IntrospectAsync(tokens[0].TrimEnd('\n'))).Active);
        }
    }

    [Fact]
    public async Task A_process_killed_between_writing_the_temporary_file_and_renaming_it_leaves_the_old_tokens()
    {
        Assert.True(OperatingSystem.IsLinux(), "SIGKILL's exit status is Linux's");
        await LoginAsync("killed", Authority.Public);
        var (profile, before) = await StoredAsync("killed");
        var requests = Authority.TokenRequests;

        var killed = await ProcessAsync(["refresh", "--profile", "killed"], new Dictionary<string, string> { [AtomicFile.CrashVariable] = "before-rename" });
        Assert.Equal((137, ""), (killed.Exit, killed.Out));
        Assert.Equal(requests + 1, Authority.TokenRequests);
        using (var profiles = Open())
        {
            var path = profiles.TokensOf(profile).PathOf(profile.Key);
            Assert.Single(AtomicFile.Leftovers(path));
            Assert.Equal(before, await Expect.Right(profiles.TokensOf(profile).Load(profile.Key, default)));
        }

        // The old access token is still valid and handed out; the lease died with the process, so nothing waits for it.
        var token = await ProcessAsync(["token", "--profile", "killed"]);
        Assert.Equal((ExitCodes.Success, AccessTokenOf(before) + "\n"), (token.Exit, token.Out));
        // The killed refresh's lock and lease died with it: the next refresh runs at once, and learns that the server
        // rotated the refresh token away (the answer the killed process never wrote).
        var started = DateTime.UtcNow;
        var refresh = await ProcessAsync(["refresh", "--profile", "killed"]);
        Assert.Equal(ExitCodes.LoginRequired, refresh.Exit);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "the refresh waited for a dead process's lease");
        // The next write removes what the killed writer left.
        Assert.Equal(ExitCodes.Success, (await RunAsync(["logout", "--profile", "killed"])).Exit);
        using (var profiles = Open()) Assert.Empty(AtomicFile.Leftovers(profiles.TokensOf(profile).PathOf(profile.Key)));
    }

    [Fact]
    public async Task A_switch_to_a_keyring_out_of_reach_keeps_the_profile_and_its_tokens()
    {
        await LoginAsync("switch", Authority.Public);
        var before = AccessTokenOf((await StoredAsync("switch")).Stored);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false)
        {
            Variable = name => name switch
            {
                StateDirectory.Variable => _state,
                "DBUS_SESSION_BUS_ADDRESS" => "unix:path=/nonexistent-bus",
                _ => null,
            },
        };
        var exit = await Commands.RunAsync(["login", "--profile", "switch", "--token-store", "secret-service"], terminal, Follow);
        Assert.Equal(ExitCodes.FlowFailed, exit);
        var (profile, stored) = await StoredAsync("switch");
        Assert.Equal(Profile.FileVaultName, profile.Vault);
        Assert.Equal(before, AccessTokenOf(stored));
        var token = await RunAsync(["token", "--profile", "switch"]);
        Assert.Equal((ExitCodes.Success, before + "\n"), (token.Exit, token.Out));
    }

    /// <summary>Expiries a token file may hold after an editor, a disk or another program touched it.</summary>
    public static TheoryData<string> MalformedExpiries() =>
    [
        "2099-11-26T1x:00:00.0000000Z", "2099-11-26Tx1:00:00.0000000Z", "2099-11-26T10:x0:00.0000000Z", "2099-11-26T10:00:0x.0000000Z",
        "20x9-11-26T10:00:00.0000000Z", "2099-1x-26T10:00:00.0000000Z", "2099-11-2xT10:00:00.0000000Z", "2099-11-26T10:00:00.x000000Z",
        "2099-11-26T10:00:00.000000xZ", "2099-11-26T-1:00:00.0000000Z", "2099-11-26T10:-1:00.0000000Z", "2099-11-26T24:00:00.0000000Z",
        "2099-11-26T10:60:00.0000000Z", "2099-11-26T10:00:60.0000000Z", "2099-13-26T10:00:00.0000000Z", "2099-02-30T10:00:00.0000000Z",
        "0000-11-26T10:00:00.0000000Z", "2099-11-26T10:00:00.0000000", "2099-11-26T10:00", "", "2099-11-26T10:00:00.-999999Z",
        "9999-12-31T23:59:59.9999999-01:00",
    ];

    [Theory]
    [MemberData(nameof(MalformedExpiries))]
    public async Task A_token_file_with_a_malformed_expiry_is_refused_as_a_store_failure_never_a_crash(string expiry)
    {
        await LoginAsync("malformed", Authority.Public);
        var (profile, _) = await StoredAsync("malformed");
        using (var profiles = Open())
        {
            var path = profiles.TokensOf(profile).PathOf(profile.Key);
            var content = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path));
            var written = System.Text.RegularExpressions.Regex.Match(content, "\"expires_at\":\"[^\"]*\"").Value;
            Assert.NotEqual("", written);
            File.WriteAllText(path, content.Replace(written, $"\"expires_at\":\"{expiry}\""));
        }

        Assert.Null(QuickToken.Answer(["token", "--profile", "malformed"], name => name == StateDirectory.Variable ? _state : null, DateTimeOffset.UtcNow));
        var (exit, stdout, stderr) = await RunAsync(["token", "--profile", "malformed"]);
        Assert.Equal((ExitCodes.FlowFailed, ""), (exit, stdout));
        Assert.Contains("store_failure", stderr);
        Assert.Contains("the token file is not what this command writes", stderr);
    }

    [Fact]
    public async Task A_token_process_given_a_token_file_with_a_malformed_expiry_exits_with_the_refusal_not_an_abort()
    {
        await LoginAsync("malformed-process", Authority.Public);
        var (profile, _) = await StoredAsync("malformed-process");
        using (var profiles = Open())
        {
            var path = profiles.TokensOf(profile).PathOf(profile.Key);
            var content = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path));
            File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(content, "\"expires_at\":\"[^\"]*\"", "\"expires_at\":\"2099-11-26T1x:00:00.0000000Z\""));
        }
        var (exit, stdout, stderr) = await ProcessAsync(["token", "--profile", "malformed-process"]);
        Assert.Equal((ExitCodes.FlowFailed, ""), (exit, stdout));
        Assert.Contains("the token file is not what this command writes", stderr);
        Assert.DoesNotContain("Unhandled exception", stderr);
    }
}
