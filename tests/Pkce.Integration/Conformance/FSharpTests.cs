using System.Collections.Concurrent;
using Microsoft.FSharp.Core;
using Pkce.FSharp;

namespace Pkce.Integration.Conformance;

/// <summary>The F# sample (samples/Pkce.FSharp), which uses only the F# face, runs against the real server.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class FSharpTests(AuthorityFixture fixture)
{
    private PkceConfig Configured()
    {
        var authority = fixture.Authority;
        var configured = SignIn.configure(authority.AuthorizationEndpoint, authority.TokenEndpoint, authority.Issuer,
            authority.Public.ClientId, AuthorityFixture.RedirectUri);
        Assert.True(configured.IsOk, configured.IsError ? string.Join("; ", configured.ErrorValue) : "");
        return configured.ResultValue;
    }

    private FSharpFunc<string, Task<string>> Browser => FuncConvert.FromFunc<string, Task<string>>(fixture.FollowAsync);

    private async Task<TokenResponse> SignedInAsync(PkceConfig config, string user)
    {
        var result = await SignIn.run(fixture.Deps, config, SignIn.dictionaryStore(new()), Browser, user);
        Assert.True(result.IsOk, result.IsError ? result.ErrorValue.ToString() : "");
        return result.ResultValue;
    }

    [Fact]
    public async Task FSharp_caller_gets_a_usable_token_and_a_Result()
    {
        var rows = new ConcurrentDictionary<string, PendingAuthorization>();
        var result = await SignIn.run(fixture.Deps, Configured(), SignIn.dictionaryStore(rows), Browser, "fsharp-user");
        Assert.True(result.IsOk, result.IsError ? result.ErrorValue.ToString() : "");
        var introspection = await fixture.Authority.IntrospectAsync(result.ResultValue.AccessToken);
        Assert.True(introspection.Active);
        Assert.Equal("fsharp-user", introspection.Subject); // the sample's extra parameter reached the server
        Assert.Empty(rows); // taken once, by the callback
    }

    [Fact]
    public void FSharp_caller_gets_every_configuration_problem_as_a_list()
    {
        var configured = SignIn.configure(new Uri("http://as.example/authorize"), new Uri("https://as.example/token"),
            new Uri("https://as.example"), "", "relative");
        Assert.True(configured.IsError);
        Assert.Equal(3, configured.ErrorValue.Length);
    }

    [Fact]
    public async Task FSharp_caller_keeps_the_tokens_and_a_refresh_through_the_face_gives_a_new_access_token()
    {
        var config = Configured();
        var signedIn = await SignedInAsync(config, "fsharp-refresher");
        var key = new TokenKey(Expect.Right(UserKey.From("fsharp-refresher")), "api", "api offline_access");
        var source = Tokens.source(fixture.Deps, config, Pkce.FSharp.Stores.inMemoryTokens());
        var before = fixture.Authority.TokenRequests;

        var result = await SignIn.keepAndRenew(source, key, signedIn);

        Assert.True(result.IsOk, result.IsError ? result.ErrorValue.ToString() : "");
        var (kept, renewed) = result.ResultValue;
        Assert.Equal(signedIn.AccessToken, kept.AccessToken);
        Assert.NotEqual(kept.AccessToken, renewed.AccessToken);
        Assert.Equal(before + 1, fixture.Authority.TokenRequests); // one refresh grant
        Assert.True((await fixture.Authority.IntrospectAsync(renewed.AccessToken)).Active);
        var current = await Tokens.get(source, key, default);
        Assert.Equal(renewed.AccessToken, current.ResultValue.AccessToken); // the renewal was kept
    }

    /// <summary>The public client's configuration from the server's metadata, through the face.</summary>
    private async Task<PkceConfig> DiscoveredAsync()
    {
        var cache = Pkce.FSharp.Discovery.cache(fixture.Deps, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        var settings = new PkceSettings
        {
            ClientId = fixture.Authority.Public.ClientId, RedirectUri = AuthorityFixture.RedirectUri,
            Scope = "api offline_access", Timeout = TimeSpan.FromSeconds(10),
        };
        var discovered = await Pkce.FSharp.Discovery.discover(cache, settings, fixture.Authority.Issuer.AbsoluteUri, default);
        Assert.True(discovered.IsOk, discovered.IsError ? discovered.ErrorValue.ToString() : "");
        return discovered.ResultValue;
    }

    [Fact]
    public async Task FSharp_caller_discovers_the_server_and_a_logout_through_the_face_revokes_the_tokens()
    {
        var config = await DiscoveredAsync();
        var signedIn = await SignedInAsync(config, "fsharp-leaver");
        var key = new TokenKey(Expect.Right(UserKey.From("fsharp-leaver")), "api", "api offline_access");
        var source = Tokens.source(fixture.Deps, config, Pkce.FSharp.Stores.inMemoryTokens());
        Assert.True((await Tokens.save(source, key, signedIn, default)).IsOk);

        var revoked = await Tokens.revoke(source, key, default);

        Assert.True(revoked.IsOk, revoked.IsError ? revoked.ErrorValue.ToString() : "");
        Assert.True(OptionModule.IsNone(revoked.ResultValue), revoked.ResultValue?.Value.ToString());
        Assert.False((await fixture.Authority.IntrospectAsync(signedIn.AccessToken)).Active);
        Assert.IsType<PkceFailure.LoginRequired>((await Tokens.get(source, key, default)).ErrorValue);
    }

    [Fact]
    public async Task FSharp_caller_sends_a_refresh_grant_and_revokes_one_token_without_a_store()
    {
        var config = await DiscoveredAsync();
        var signedIn = await SignedInAsync(config, "fsharp-storeless");
        var first = signedIn.RefreshToken.IfNone(() => throw new Xunit.Sdk.XunitException("no refresh token was issued"));

        var renewed = await Tokens.refreshGrant(fixture.Deps, config, first, FSharpOption<string>.None, default);
        Assert.True(renewed.IsOk, renewed.IsError ? renewed.ErrorValue.ToString() : "");
        Assert.NotEqual(signedIn.AccessToken, renewed.ResultValue.AccessToken);
        Assert.True((await fixture.Authority.IntrospectAsync(renewed.ResultValue.AccessToken)).Active);

        var revoked = await Tokens.revokeToken(fixture.Deps, config, TokenKind.Access, renewed.ResultValue.AccessToken, default);
        Assert.True(revoked.IsOk, revoked.IsError ? revoked.ErrorValue.ToString() : "");
        Assert.False((await fixture.Authority.IntrospectAsync(renewed.ResultValue.AccessToken)).Active);

        var reused = await Tokens.refreshGrant(fixture.Deps, config, first, FSharpOption<string>.None, default);
        var refused = Assert.IsType<PkceFailure.EndpointError>(reused.ErrorValue);
        Assert.Equal("invalid_grant", refused.error);
    }

    [Fact]
    public async Task A_forged_state_is_StateUnknown_to_FSharp_and_the_exhaustive_match_explains_it_without_a_token_request()
    {
        var before = fixture.Authority.TokenRequests;
        var forging = FuncConvert.FromFunc<string, Task<string>>(async url => (await fixture.FollowAsync(url)).Replace("state=", "state=x"));

        var result = await SignIn.run(fixture.Deps, Configured(), SignIn.dictionaryStore(new()), forging, "fsharp-forged");

        Assert.True(result.IsError);
        Assert.Equal(PkceFailure.StateUnknown, result.ErrorValue);
        Assert.Equal("this sign-in link is stale or forged; start again", SignIn.explain(result.ErrorValue));
        Assert.Equal(before, fixture.Authority.TokenRequests);
    }

    [Fact]
    public async Task A_denied_authorization_is_matched_by_its_error_code_from_FSharp()
    {
        fixture.Authority.DenyAuthorizations = true;
        try
        {
            var result = await SignIn.run(fixture.Deps, Configured(), SignIn.dictionaryStore(new()), Browser, "fsharp-declined");
            Assert.True(result.IsError);
            var denied = Assert.IsType<PkceFailure.AuthorizationDenied>(result.ErrorValue);
            Assert.Equal("access_denied", denied.error);
            Assert.Equal("you declined", SignIn.explain(result.ErrorValue));
        }
        finally
        {
            fixture.Authority.DenyAuthorizations = false;
        }
    }
}
