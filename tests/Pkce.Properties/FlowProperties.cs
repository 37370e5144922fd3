using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Pkce.Properties;

/// <summary>The two steps of <see cref="Flow"/> against an in-process server and the in-memory pending store.</summary>
public class FlowProperties
{
    private static readonly UserKey Alice = Support.User("alice");

    private sealed record Rig(PkceConfig Config, Dependencies Deps, InMemoryPendingStore Store, FakeServer Server, FakeTimeProvider Clock);

    private static Rig RigFor(Func<FakeServer.Sent, HttpResponseMessage> answer, PkceSettings? settings = null)
    {
        var clock = Support.Clock();
        var server = new FakeServer(answer);
        var deps = new Dependencies(Support.Replay([1, 2, 3, 4, 5]), clock, server.Port());
        return new Rig(Support.Config(settings ?? Support.ValidSettings), deps, new InMemoryPendingStore(clock), server, clock);
    }

    private static StartedFlow Start(Rig rig) =>
        Support.Right(Support.Run(Flow.Start(rig.Config, rig.Deps, rig.Store.Save, Alice, CancellationToken.None)));

    private static string CallbackFor(StartedFlow started, string code = "code-123") =>
        $"http://127.0.0.1:8000/callback?code={code}&state={started.Pending.State.Value}&iss=https%3A%2F%2Fas.example";

    [Fact]
    public void StartSavesThePendingAuthorizationAndReturnsItsUrl()
    {
        var rig = RigFor(_ => throw new InvalidOperationException("no request expected"));
        var started = Start(rig);
        Assert.Equal(1, rig.Store.PendingCount);
        Assert.StartsWith("https://as.example/authorize?", started.AuthorizationUrl);
        Assert.Contains("state=" + started.Pending.State.Value, started.AuthorizationUrl);
        Assert.Equal(rig.Clock.GetUtcNow() + rig.Config.PendingLifetime, started.Pending.ExpiresAt);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void StartUsesTheInjectedRandomSource()
    {
        var a = Start(RigFor(_ => throw new InvalidOperationException()));
        var b = Start(RigFor(_ => throw new InvalidOperationException()));
        Assert.Equal(a.Pending.State, b.Pending.State);
        Assert.Equal(a.Pending.Verifier.Value, b.Pending.Verifier.Value);
    }

    [Fact]
    public void BadExtrasFailBeforeAnythingIsStored()
    {
        var rig = RigFor(_ => throw new InvalidOperationException());
        var error = Support.Left(Support.Run(Flow.Start(rig.Config, rig.Deps, rig.Store.Save, Alice,
            Seq1(new QueryParameter("code_challenge", "x")), CancellationToken.None)));
        Assert.IsType<PkceError.InvalidValue>(error);
        Assert.Equal(0, rig.Store.PendingCount);
    }

    [Fact]
    public void CompleteRedeemsTheCodeWithTheVerifierOnce()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1", refresh: "rt-1"));
        var started = Start(rig);
        var token = Support.Right(Support.Run(Flow.Complete(rig.Config, rig.Deps, rig.Store.Take, Alice, CallbackFor(started), CancellationToken.None)));
        Assert.Equal("at-1", token.AccessToken);
        Assert.Equal(Some("rt-1"), token.RefreshToken);
        var sent = Assert.Single(rig.Server.Requests);
        Assert.Equal("/token", sent.Path);
        Assert.Equal("code-123", sent.Form["code"]);
        Assert.Equal(started.Pending.Verifier.Value, sent.Form["code_verifier"]);
        Assert.Equal("authorization_code", sent.Form["grant_type"]);
        // Taken: the same callback again is a replay, and reaches no endpoint.
        Assert.IsType<PkceError.StateReplayed>(Support.Left(Support.Run(
            Flow.Complete(rig.Config, rig.Deps, rig.Store.Take, Alice, CallbackFor(started), CancellationToken.None))));
        Assert.Single(rig.Server.Requests);
    }

    [Fact]
    public void AnotherUsersCallbackReachesNoEndpoint()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        var started = Start(rig);
        Assert.IsType<PkceError.WrongUser>(Support.Left(Support.Run(
            Flow.Complete(rig.Config, rig.Deps, rig.Store.Take, Support.User("mallory"), CallbackFor(started), CancellationToken.None))));
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void AnExpiredFlowReachesNoEndpoint()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        var started = Start(rig);
        rig.Clock.Advance(rig.Config.PendingLifetime);
        var error = Support.Left(Support.Run(Flow.VerifyCallback(rig.Clock, rig.Store.Take, Alice, CallbackFor(started), CancellationToken.None)));
        Assert.True(error is PkceError.StateExpired or PkceError.StateUnknown, error.ToString());
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void AMalformedCallbackReachesNoStore()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        Start(rig);
        Assert.IsType<PkceError.StateMissing>(Support.Left(Support.Run(Flow.Complete(rig.Config, rig.Deps, rig.Store.Take, Alice, "?code=x", CancellationToken.None))));
        Assert.IsType<PkceError.StateMissing>(Support.Left(Support.Run(Flow.VerifyCallback(rig.Clock, rig.Store.Take, Alice, "?code=x", CancellationToken.None))));
        Assert.Equal(1, rig.Store.PendingCount);
    }

    [Fact]
    public void VerifyCallbackConsumesThePendingAuthorizationWithoutAnExchange()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        var started = Start(rig);
        var verified = Support.Right(Support.Run(Flow.VerifyCallback(rig.Clock, rig.Store.Take, Alice, CallbackFor(started), CancellationToken.None)));
        Assert.Equal("code-123", verified.Code.Value);
        Assert.Equal(0, rig.Store.PendingCount);
        Assert.Empty(rig.Server.Requests);
    }

    [Fact]
    public void AnEndpointErrorComesBackTypedWithTheSentSecretsRedacted()
    {
        var rig = RigFor(s => FakeServer.Json(HttpStatusCode.BadRequest,
            $$"""{"error":"invalid_grant","error_description":"bad code {{s.Form["code"]}} and {{s.Form["code_verifier"]}}"}"""));
        var started = Start(rig);
        var error = Assert.IsType<PkceError.EndpointError>(Support.Left(Support.Run(
            Flow.Complete(rig.Config, rig.Deps, rig.Store.Take, Alice, CallbackFor(started, "code-with-length"), CancellationToken.None))));
        Assert.Equal("invalid_grant", error.Error);
        Assert.Equal(400, error.Status);
        var description = error.ErrorDescription.IfNone("");
        Assert.DoesNotContain("code-with-length", description);
        Assert.DoesNotContain(started.Pending.Verifier.Value, description);
        Assert.Contains(Redaction.Mark, description);
    }

    [Fact]
    public void ABearerTokenToADpopRequestIsAMismatch()
    {
        var rig = RigFor(_ => FakeServer.Token("at-1"));
        var key = Support.Right(DpopKey.Generate());
        var deps = rig.Deps with { Dpop = Some(new DpopBinding(key, new DpopNonces())) };
        var started = Support.Right(Support.Run(Flow.Start(rig.Config, deps, rig.Store.Save, Alice, CancellationToken.None)));
        Assert.Contains("dpop_jkt=" + key.Thumbprint, started.AuthorizationUrl);
        var error = Assert.IsType<PkceError.TokenTypeMismatch>(Support.Left(Support.Run(
            Flow.Complete(rig.Config, deps, rig.Store.Take, Alice, CallbackFor(started), CancellationToken.None))));
        Assert.Equal("DPoP", error.Expected);
        Assert.True(rig.Server.Requests[0].Headers.ContainsKey("DPoP"));
    }

    [Fact]
    public void WithAPushEndpointTheParametersArePushedAndTheUrlHoldsOnlyTheRequestUri()
    {
        var settings = Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par" };
        var rig = RigFor(_ => FakeServer.Json(HttpStatusCode.Created, """{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}"""), settings);
        var started = Start(rig);
        var sent = Assert.Single(rig.Server.Requests);
        Assert.Equal("/par", sent.Path);
        Assert.Equal(started.Pending.State.Value, sent.Form["state"]);
        Assert.Equal(started.Pending.Challenge.Value, sent.Form["code_challenge"]);
        Assert.Equal("S256", sent.Form["code_challenge_method"]);
        Assert.Equal("https://as.example/authorize?client_id=client-1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Aabc", started.AuthorizationUrl);
        Assert.Equal(1, rig.Store.PendingCount);
    }

    [Fact]
    public void AFailedPushStoresNothing()
    {
        var settings = Support.ValidSettings with { PushedAuthorizationRequestEndpoint = "https://as.example/par" };
        var rig = RigFor(_ => FakeServer.OAuthError("invalid_request"), settings);
        var error = Assert.IsType<PkceError.EndpointError>(Support.Left(Support.Run(Flow.Start(rig.Config, rig.Deps, rig.Store.Save, Alice, CancellationToken.None))));
        Assert.Equal(PushedAuthorizationRequest.EndpointName, error.Endpoint);
        Assert.Equal(0, rig.Store.PendingCount);
    }
}
