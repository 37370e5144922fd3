using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Pkce.Cli;

namespace Pkce.Integration.Cli;

/// <summary>
/// <c>pkce login --dpop --profile</c> and what follows it (RFC 9449): the profile's key beside its tokens, the two
/// headers of <c>pkce token --header --method --url</c>, refreshes that keep the binding, and the fast path stepping
/// aside. The tests that need no server make a profile and its stored tokens by hand.
/// </summary>
public sealed class DpopProfileTests(CliAuthorityFixture fixture) : IClassFixture<CliAuthorityFixture>, IDisposable
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

    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var terminal = new Terminal(stdout, stderr, ErrorIsTerminal: false)
        {
            Variable = name => name == StateDirectory.Variable ? _state : null,
        };
        var exit = await Commands.RunAsync(args, terminal, Follow);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private Profiles Open() => new(new StateDirectory(_state), _ => null);

    private string KeyPath(string name) => ProfileKeys.PathOf(new StateDirectory(_state), name);

    /// <summary>A DPoP profile with a fresh stored token of <paramref name="tokenType"/>, made without a server.</summary>
    private async Task<(Profile Profile, DpopKey Key, string AccessToken)> HandMadeAsync(string name, string tokenType = "DPoP", string algorithm = "ES256",
        Uri? tokenEndpoint = null, bool expired = false)
    {
        var key = Expect.Right(DpopKey.Generate(algorithm));
        var profile = new Profile(name, new LoginOptions { ClientId = "cli", Issuer = "http://127.0.0.1:9/" },
            new ProfileServer("http://127.0.0.1:9/authorize", tokenEndpoint?.AbsoluteUri ?? "http://127.0.0.1:9/token", null, null, "http://127.0.0.1:9/", true, "none"),
            Profile.FileVaultName, ProfileDpop.Of(key));
        var access = "at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        using var profiles = Open();
        await ProfileKeys.SaveAsync(profiles, profile, key, default);
        var tokens = new TokenSet(access, tokenType, Some(DateTimeOffset.UtcNow.AddHours(expired ? -1 : 1)), Some("rt"), Some("api"), DateTimeOffset.UtcNow);
        Assert.True(await Expect.Right(profiles.TokensOf(profile).Swap(profile.Key, 0, new StoredTokens(0, Some(tokens), None), default)));
        await profiles.SaveAsync(profile, default);
        return (profile, key, access);
    }

    /// <summary>The private key as the key file holds it (base64 PKCS#8), to look for in every output.</summary>
    private string StoredPrivateKey(string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(KeyPath(name)));
        return json.RootElement.GetProperty("pkcs8").GetString()!;
    }

    [Fact]
    public async Task A_one_off_dpop_login_is_refused_because_only_a_profile_keeps_the_key()
    {
        var before = Authority.TokenRequests;
        var (exit, stdout, stderr) = await RunAsync("login", "--dpop", "--issuer", Authority.Issuer.AbsoluteUri, "--client-id", Authority.Public.ClientId,
            "--redirect-uri", fixture.RedirectUri);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (exit, stdout));
        Assert.Contains("pkce: invalid options: --dpop needs --profile NAME: a DPoP-bound token is of no use without its key, which only a profile keeps", stderr);
        Assert.Equal(before, Authority.TokenRequests);
        var alone = await RunAsync("login", "--profile", "x", "--dpop-alg", "RS256", "--client-id", "c");
        Assert.Equal(ExitCodes.InvalidOptions, alone.Exit);
        Assert.Contains("pkce: invalid options: --dpop-alg needs --dpop", alone.Error);
    }

    [Theory]
    [InlineData("--method GET --url https://api.test/x", "--method and --url go with --header")]
    [InlineData("--header --url https://api.test/x", "--method and --url go together")]
    [InlineData("--header --method GET --url https://user:pw@api.test/x", "--url must not carry user information")]
    [InlineData("--header --method GET --url https://user@api.test/x", "--url must not carry user information")]
    [InlineData("--header --method GET --url ftp://api.test/x", "--url 'ftp://api.test/x' is not an absolute http or https URL")]
    [InlineData("--header --method GET --url /relative", "--url '/relative' is not an absolute http or https URL")]
    [InlineData("--header --method G\u001bT --url https://api.test/", "--method 'G\\u001BT' is not an HTTP method")]
    [InlineData("--header --method GET --url https://api.test/\u001b[2J", "--url holds a space, a control character or a non-ASCII character")]
    [InlineData("--header --method GET --url https://api.test/\r\nDPoP:x", "--url holds a space, a control character or a non-ASCII character")]
    [InlineData("--header --method GET --url https://api.tést/", "--url holds a space, a control character or a non-ASCII character")]
    [InlineData("--header --method GET --url https://api.test/ --dpop-nonce a\"b", "--dpop-nonce is not a DPoP nonce")]
    [InlineData("--header --method GET --url https://api.test/ --dpop-nonce a\u0007b", "--dpop-nonce is not a DPoP nonce")]
    [InlineData("--header --method GET --dpop-nonce abc", "--dpop-nonce goes with --url")]
    public async Task Method_url_and_nonce_are_checked_before_anything_is_read(string options, string problem)
    {
        var (exit, stdout, stderr) = await RunAsync(["token", "--profile", "nobody", .. options.Split(' ')]);
        Assert.Equal((ExitCodes.InvalidOptions, ""), (exit, stdout));
        Assert.Contains("pkce: invalid options: " + problem, stderr);
        Assert.DoesNotContain('\u001b', stderr);
        Assert.DoesNotContain('\u0007', stderr);
        Assert.DoesNotContain("\r", stderr);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_key_file_is_owner_only_and_one_open_to_others_a_link_or_another_key_is_refused_without_showing_the_key()
    {
        var (profile, key, _) = await HandMadeAsync("keyed");
        var path = KeyPath("keyed");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var secret = StoredPrivateKey("keyed");
        using (var profiles = Open())
            Assert.Equal(key.Thumbprint, Expect.Right(ProfileKeys.Load(profiles, profile)).Map(k => k.Thumbprint).IfNone(""));

        // Open to the group: refused, not tightened (it may have been copied), and the key is in no message.
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("640", 8));
        var loose = await RunAsync("token", "--profile", "keyed", "--header", "--method", "GET", "--url", "https://api.test/me");
        Assert.Equal((ExitCodes.FlowFailed, ""), (loose.Exit, loose.Out));
        Assert.Contains("has mode 640, open to others: the key may have been copied and is not used", loose.Error);
        Assert.Contains("pkce login --profile keyed --dpop makes a new key", loose.Error);
        Assert.DoesNotContain(secret, loose.Error);
        Assert.Equal((UnixFileMode)Convert.ToInt32("640", 8), File.GetUnixFileMode(path));

        // A symbolic link, even to an owner-only copy of the right key, is not read.
        var elsewhere = Path.Combine(_state, "copy");
        File.Move(path, elsewhere);
        File.SetUnixFileMode(elsewhere, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.CreateSymbolicLink(path, elsewhere);
        var linked = await RunAsync("token", "--profile", "keyed", "--header", "--method", "GET", "--url", "https://api.test/me");
        Assert.Equal((ExitCodes.FlowFailed, ""), (linked.Exit, linked.Out));
        Assert.Contains("is a symbolic link; a DPoP key is read from a regular file only", linked.Error);

        // A write replaces the link itself and never goes through it.
        var before = File.ReadAllBytes(elsewhere);
        using (var other = Expect.Right(DpopKey.Generate()))
        using (var profiles = Open())
        {
            await ProfileKeys.SaveAsync(profiles, profile with { Dpop = ProfileDpop.Of(other) }, other, default);
            Assert.Null(new FileInfo(path).LinkTarget);
            Assert.Equal(before, File.ReadAllBytes(elsewhere));
            // Another key than the one the profile names is not this profile's.
            var mismatch = Expect.Left(ProfileKeys.Load(profiles, profile));
            Assert.Contains($"the stored DPoP key of profile keyed is not the one the profile names (thumbprint {key.Thumbprint})", mismatch.Message);
        }

        // Missing: a login is needed.
        File.Delete(path);
        var missing = await RunAsync("token", "--profile", "keyed", "--header", "--method", "GET", "--url", "https://api.test/me");
        Assert.Equal((ExitCodes.LoginRequired, ""), (missing.Exit, missing.Out));
        Assert.Contains("pkce: login required: the DPoP key its tokens are bound to is missing", missing.Error);
        key.Dispose();
    }

    [Fact]
    public async Task Header_of_a_dpop_profile_is_two_lines_with_a_proof_for_that_method_and_url_signed_by_the_profile_key()
    {
        var (_, key, access) = await HandMadeAsync("headers");
        var secret = StoredPrivateKey("headers");
        var (exit, stdout, stderr) = await RunAsync("token", "--profile", "headers", "--header", "--method", "POST",
            "--url", "https://API.test:443/v1/items?page=2&q=a#frag", "--dpop-nonce", "n-1_x.Y");
        Assert.Equal((ExitCodes.Success, ""), (exit, stderr));
        var lines = stdout.Split(Environment.NewLine);
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.Equal($"Authorization: DPoP {access}", lines[0]);
        Assert.StartsWith("DPoP: ", lines[1]);
        var (header, payload) = VerifiedProof(lines[1]["DPoP: ".Length..], key);
        Assert.Equal(("dpop+jwt", "ES256"), (header.GetProperty("typ").GetString(), header.GetProperty("alg").GetString()));
        Assert.False(header.GetProperty("jwk").TryGetProperty("d", out _));
        Assert.Equal("POST", payload.GetProperty("htm").GetString());
        // RFC 9449 §4.2: htu without query and fragment; scheme and host lowercase and the default port dropped.
        Assert.Equal("https://api.test/v1/items", payload.GetProperty("htu").GetString());
        Assert.Equal(DpopProof.Ath(access), payload.GetProperty("ath").GetString());
        Assert.Equal("n-1_x.Y", payload.GetProperty("nonce").GetString());
        Assert.InRange(payload.GetProperty("iat").GetInt64(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.DoesNotContain(secret, stdout);

        // A new proof each time (a fresh jti), never reused; without --dpop-nonce, no nonce.
        var again = await RunAsync("token", "--profile", "headers", "--header", "--method", "GET", "--url", "https://api.test/v1/items");
        var (_, second) = VerifiedProof(again.Out.Split(Environment.NewLine)[1]["DPoP: ".Length..], key);
        Assert.NotEqual(payload.GetProperty("jti").GetString(), second.GetProperty("jti").GetString());
        Assert.False(second.TryGetProperty("nonce", out _));

        // --header alone cannot make a proof: it does not know the request.
        var bare = await RunAsync("token", "--profile", "headers", "--header");
        Assert.Equal((ExitCodes.InvalidOptions, ""), (bare.Exit, bare.Out));
        Assert.Contains("pkce: invalid options: profile headers uses DPoP: --header needs --method METHOD --url URL", bare.Error);
        // The token alone and the JSON still print, with its type.
        Assert.Equal(access + Environment.NewLine, (await RunAsync("token", "--profile", "headers")).Out);
        using (var json = JsonDocument.Parse((await RunAsync("token", "--profile", "headers", "--json")).Out))
            Assert.Equal("DPoP", json.RootElement.GetProperty("token_type").GetString());
        key.Dispose();
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public async Task Rsa_keys_sign_proofs_with_their_algorithm(string algorithm)
    {
        var (_, key, _) = await HandMadeAsync("rsa", algorithm: algorithm);
        var (exit, stdout, _) = await RunAsync("token", "--profile", "rsa", "--header", "--method", "GET", "--url", "http://127.0.0.1:8080/api");
        Assert.Equal(ExitCodes.Success, exit);
        var (header, payload) = VerifiedProof(stdout.Split(Environment.NewLine)[1]["DPoP: ".Length..], key);
        Assert.Equal((algorithm, "RSA"), (header.GetProperty("alg").GetString(), header.GetProperty("jwk").GetProperty("kty").GetString()));
        Assert.Equal("http://127.0.0.1:8080/api", payload.GetProperty("htu").GetString());
        key.Dispose();
    }

    [Fact]
    public async Task The_fast_path_steps_aside_for_a_dpop_profile_and_never_prints_a_bearer_header_for_it()
    {
        string? Quick(params string[] args) =>
            QuickToken.Answer(args, name => name == StateDirectory.Variable ? _state : null, DateTimeOffset.UtcNow) is { } line ? Encoding.ASCII.GetString(line) : null;
        // Even with a token stored as Bearer (as an older login would have left it), the profile decides.
        var (_, key, access) = await HandMadeAsync("quick", tokenType: "Bearer");
        Assert.Null(Quick("token", "--profile", "quick", "--header"));
        Assert.Null(Quick("token", "--profile", "quick"));
        var full = await RunAsync("token", "--profile", "quick", "--header", "--method", "GET", "--url", "https://api.test/");
        Assert.Equal((ExitCodes.LoginRequired, ""), (full.Exit, full.Out));
        Assert.Contains("pkce: login required: the stored token is of type Bearer, but the profile binds its tokens to a DPoP key", full.Error);
        Assert.DoesNotContain(access, full.Error);
        key.Dispose();
    }

    [Fact]
    public async Task A_bearer_profile_prints_its_bearer_header_and_ignores_method_and_url()
    {
        var (profile, key, access) = await HandMadeAsync("bearer", tokenType: "Bearer");
        using (var profiles = Open()) await profiles.SaveAsync(profile with { Dpop = null }, default);
        var (exit, stdout, stderr) = await RunAsync("token", "--profile", "bearer", "--header", "--method", "GET", "--url", "https://api.test/");
        Assert.Equal((ExitCodes.Success, $"Authorization: Bearer {access}{Environment.NewLine}", ""), (exit, stdout, stderr));
        Assert.Equal($"Authorization: Bearer {access}\n",
            QuickToken.Answer(["token", "--profile", "bearer", "--header"], name => name == StateDirectory.Variable ? _state : null, DateTimeOffset.UtcNow) is { } line
                ? Encoding.ASCII.GetString(line) : null);
        key.Dispose();
    }

    [Fact]
    public async Task A_refresh_sends_a_proof_of_the_profile_key_answers_one_nonce_and_takes_no_hostile_one()
    {
        await using var server = await TokenEndpointHost.StartAsync();
        var proofs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var answers = new Queue<Func<HttpContext, Task>>();
        server.Respond = context =>
        {
            proofs.Enqueue(context.Request.Headers["DPoP"].ToString());
            return answers.Dequeue()(context);
        };
        Func<HttpContext, Task> UseNonce(string nonce) => context =>
        {
            context.Response.Headers["DPoP-Nonce"] = nonce;
            return Results.Json(new { error = "use_dpop_nonce", error_description = "nonce \u001b[2J needed" }, statusCode: 400).ExecuteAsync(context);
        };
        Func<HttpContext, Task> Issue(string type) => context =>
            Results.Json(new { access_token = "AT2", token_type = type, expires_in = 3600, refresh_token = "RT2" }).ExecuteAsync(context);

        // A nonce outside RFC 9449 §8.1's syntax is not taken, so the request is not sent again; nothing raw is shown.
        var (_, key, access) = await HandMadeAsync("nonce", tokenEndpoint: server.TokenEndpoint, expired: true);
        answers.Enqueue(UseNonce("has space\"and\\quote"));
        var hostile = await RunAsync("token", "--profile", "nonce");
        Assert.Equal((ExitCodes.FlowFailed, ""), (hostile.Exit, hostile.Out));
        Assert.Single(proofs);
        Assert.DoesNotContain('\u001b', hostile.Error);
        Assert.Contains("use_dpop_nonce", hostile.Error);
        var (_, first) = VerifiedProof(proofs.Single(), key);
        Assert.Equal(("POST", server.TokenEndpoint.AbsoluteUri), (first.GetProperty("htm").GetString(), first.GetProperty("htu").GetString()));
        Assert.False(first.TryGetProperty("ath", out _));
        Assert.False(first.TryGetProperty("nonce", out _));

        // A good nonce is answered once, in a new proof; a bearer token back is refused and the stored tokens kept.
        proofs.Clear();
        answers.Enqueue(UseNonce("n-1"));
        answers.Enqueue(Issue("Bearer"));
        var bearer = await RunAsync("token", "--profile", "nonce");
        Assert.Equal((ExitCodes.FlowFailed, ""), (bearer.Exit, bearer.Out));
        Assert.Equal(2, proofs.Count);
        Assert.Equal("n-1", VerifiedProof(proofs.Last(), key).Payload.GetProperty("nonce").GetString());
        Assert.Contains("DPoP", bearer.Error);

        proofs.Clear();
        answers.Enqueue(UseNonce("n-2"));
        answers.Enqueue(Issue("DPoP"));
        var (exit, stdout, stderr) = await RunAsync("token", "--profile", "nonce", "--header", "--method", "GET", "--url", "https://api.test/");
        Assert.True(exit == ExitCodes.Success, stderr);
        Assert.Equal(2, proofs.Count);
        Assert.Equal("n-2", VerifiedProof(proofs.Last(), key).Payload.GetProperty("nonce").GetString());
        Assert.StartsWith("Authorization: DPoP AT2" + Environment.NewLine, stdout);
        // The authorization server's nonce is for its requests, not for the resource's proof.
        Assert.False(VerifiedProof(stdout.Split(Environment.NewLine)[1]["DPoP: ".Length..], key).Payload.TryGetProperty("nonce", out _));
        Assert.NotEqual("AT2", access);
        key.Dispose();
    }

    /// <summary>
    /// Checks a proof's signature with the key in its own <c>jwk</c> header, and that this key is <paramref name="key"/>
    /// (RFC 7638 thumbprint of the header's JWK); returns its header and payload.
    /// </summary>
    private static (JsonElement Header, JsonElement Payload) VerifiedProof(string proof, DpopKey key)
    {
        var parts = proof.Split('.');
        Assert.Equal(3, parts.Length);
        var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0])).RootElement;
        var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1])).RootElement;
        var jwk = header.GetProperty("jwk");
        byte[] B(string name) => System.Buffers.Text.Base64Url.DecodeFromChars(jwk.GetProperty(name).GetString());
        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]);
        string canonical;
        bool valid;
        if (jwk.GetProperty("kty").GetString() == "EC")
        {
            using var ec = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = B("x"), Y = B("y") } });
            valid = ec.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{jwk.GetProperty("x").GetString()}\",\"y\":\"{jwk.GetProperty("y").GetString()}\"}}";
        }
        else
        {
            using var rsa = RSA.Create(new RSAParameters { Modulus = B("n"), Exponent = B("e") });
            var padding = header.GetProperty("alg").GetString() == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            valid = rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, padding);
            canonical = $"{{\"e\":\"{jwk.GetProperty("e").GetString()}\",\"kty\":\"RSA\",\"n\":\"{jwk.GetProperty("n").GetString()}\"}}";
        }
        Assert.True(valid, "the proof's signature does not verify with its jwk");
        Assert.Equal(key.Thumbprint, System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        return (header, payload);
    }
}
