using Pkce.Http;
using Pkce.LocalAuthority;

namespace Pkce.Integration.Conformance;

/// <summary>Many interleaved flows against the real server: every token for the right user, nothing left behind.</summary>
[Collection(AuthorityCollection.Name)]
public sealed class LoadTests(AuthorityFixture fixture)
{
    [Fact]
    public async Task Thousand_flows_for_a_hundred_users_each_get_their_own_token()
    {
        const int Flows = 1000, Users = 100, Workers = 16, Pairs = Flows / 2;
        var config = Expect.Value(Config.Validate(fixture.Settings(fixture.Authority.Public)));
        var store = new InMemoryPendingStore();
        var next = -1;
        var checkedTokens = 0;

        async Task Worker()
        {
            for (var i = Interlocked.Increment(ref next); i < Pairs; i = Interlocked.Increment(ref next))
            {
                // Start two flows for the user before finishing either, so flows of one user overlap.
                var name = $"user-{i % Users}";
                var user = Expect.Value(UserKey.From(name));
                var hint = Seq1(new QueryParameter("login_hint", name));
                var first = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, user, hint, default));
                var second = await Expect.Right(Flow.Start(config, fixture.Deps, store.Save, user, hint, default));
                foreach (var started in new[] { second, first })
                {
                    var callback = await fixture.FollowAsync(started.AuthorizationUrl);
                    var token = await Expect.Right(Flow.Complete(config, fixture.Deps, store.Take, user, callback, default));
                    var introspection = await fixture.Authority.IntrospectAsync(token.AccessToken);
                    Assert.True(introspection.Active);
                    Assert.Equal(name, introspection.Subject);
                    Interlocked.Increment(ref checkedTokens);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(Worker)));
        Assert.Equal(Flows, checkedTokens);
        Assert.Equal(0, store.PendingCount);
    }
}
