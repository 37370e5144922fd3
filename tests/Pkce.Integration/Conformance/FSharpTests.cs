namespace Pkce.Integration.Conformance;

/// <summary>The F# sample (samples/Pkce.FSharp) runs the whole flow against the real server.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class FSharpTests(AuthorityFixture fixture)
{
    [Fact]
    public async Task FSharp_caller_gets_a_usable_token_and_a_Result()
    {
        var authority = fixture.Authority;
        var configured = FSharp.SignIn.configure(authority.AuthorizationEndpoint, authority.TokenEndpoint, authority.Issuer,
            authority.Public.ClientId, AuthorityFixture.RedirectUri);
        Assert.True(configured.IsOk);
        var store = new InMemoryPendingStore();
        var result = await FSharp.SignIn.run(configured.ResultValue, store, fixture.Deps, fixture.FollowAsync, "fsharp-user");
        Assert.True(result.IsOk, result.IsError ? result.ErrorValue.ToString() : "");
        Assert.True((await authority.IntrospectAsync(result.ResultValue.AccessToken)).Active);
        Assert.Equal(0, store.PendingCount);
    }

    [Fact]
    public void FSharp_caller_gets_every_configuration_problem_as_a_list()
    {
        var configured = FSharp.SignIn.configure(new Uri("http://as.example/authorize"), new Uri("https://as.example/token"),
            new Uri("https://as.example"), "", "relative");
        Assert.True(configured.IsError);
        Assert.Equal(3, configured.ErrorValue.Length);
    }
}
