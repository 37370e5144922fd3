using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Microsoft.FSharp.Reflection;
using Pkce.FSharp;
using Pkce.Http;
using FUnit = Microsoft.FSharp.Core.Unit;

namespace Pkce.Integration;

/// <summary>The F# face (src/Pkce.FSharp) converts and adds nothing: every error case, and F# store functions, both ways.</summary>
public sealed class FSharpFaceTests
{
    /// <summary>The core's error cases: the nested sealed records of the closed union.</summary>
    private static readonly Type[] ErrorCases = typeof(PkceError).GetNestedTypes()
        .Where(t => t.IsSealed && typeof(PkceError).IsAssignableFrom(t)).OrderBy(t => t.Name).ToArray();

    /// <summary>An argument for each field type the cases use, with options either all set or all empty.</summary>
    private static object Argument(ParameterInfo parameter, bool someOptions) => parameter.ParameterType switch
    {
        var t when t == typeof(string) => $"{parameter.Name}-\u001b[2J",
        var t when t == typeof(int) => 418,
        var t when t == typeof(DateTimeOffset) => new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero),
        var t when t == typeof(TimeSpan) => TimeSpan.FromSeconds(7),
        var t when t == typeof(Seq<string>) => Seq("first problem", "second problem"),
        var t when t == typeof(Option<string>) => someOptions ? Some($"{parameter.Name}-value") : Option<string>.None,
        var t => throw new Xunit.Sdk.XunitException(
            $"{parameter.Member.DeclaringType!.Name}.{parameter.Name}: a field of type {t}; teach {nameof(FSharpFaceTests)} to make one and PkceFailure to carry it"),
    };

    private static IEnumerable<PkceError> Instances(Type errorCase)
    {
        var constructor = errorCase.GetConstructors().Single(c => !c.GetParameters().Any(p => p.ParameterType == errorCase));
        foreach (var someOptions in new[] { true, false })
            yield return (PkceError)constructor.Invoke(constructor.GetParameters().Select(p => Argument(p, someOptions)).ToArray());
    }

    [Fact]
    public void PkceFailure_has_one_case_per_PkceError_case_and_no_other()
    {
        Assert.True(ErrorCases.Length >= 20, $"found only {ErrorCases.Length} cases of PkceError");
        var fsharpCases = FSharpType.GetUnionCases(typeof(PkceFailure), null).Select(c => c.Name).Order();
        Assert.Equal(ErrorCases.Select(t => t.Name), fsharpCases);
    }

    [Fact]
    public void Every_PkceError_case_becomes_the_FSharp_case_of_its_name_and_comes_back_unchanged()
    {
        foreach (var error in ErrorCases.SelectMany(Instances))
        {
            var failure = PkceFailureModule.ofError(error);
            var (unionCase, fields) = FSharpValue.GetUnionFields(failure, typeof(PkceFailure), null).ToValueTuple();
            Assert.Equal(error.GetType().Name, unionCase.Name);
            Assert.Equal(error.GetType().GetConstructors()[0].GetParameters().Length, fields.Length);
            Assert.Equal(error, PkceFailureModule.toError(failure));
            Assert.Equal(error.Code, PkceFailureModule.code(failure));
            Assert.Equal(error.Message, PkceFailureModule.message(failure));
        }
    }

    [Fact]
    public void A_failure_prints_like_the_core_error_with_server_text_escaped()
    {
        var failure = PkceFailure.NewAuthorizationDenied("access_denied\u001b[2J", FSharpOption<string>.Some("fake\nline"), FSharpOption<string>.None);
        var error = PkceFailureModule.toError(failure);
        Assert.Equal(error.ToString(), failure.ToString());
        var structured = ExtraTopLevelOperators.PrintFormatToString(new PrintfFormat<FSharpFunc<PkceFailure, string>, FUnit, string, string>("%A")).Invoke(failure);
        // %A lays long values out over lines of its own; the text is the core's, escaped.
        Assert.Equal(error.ToString(), Regex.Replace(structured, @"\s*\n\s*", " "));
        Assert.DoesNotContain('\u001b', structured);
        Assert.DoesNotContain("fake\nline", structured);
    }

    private static PkceConfig Config() => Expect.Right(Pkce.Config.Validate(new PkceSettings
    {
        ClientId = "face-client",
        RedirectUri = "http://127.0.0.1:8000/callback",
        AuthorizationEndpoint = "http://127.0.0.1:9/authorize", // never reached: nothing here sends a request
        TokenEndpoint = "http://127.0.0.1:9/token",
    }));

    private static Task<FSharpResult<T, PkceFailure>> Failed<T>(PkceFailure failure) => Task.FromResult(FSharpResult<T, PkceFailure>.NewError(failure));

    [Fact]
    public async Task A_failure_of_an_FSharp_store_function_comes_back_from_the_flow_as_the_same_case()
    {
        using var http = HttpPort.Create();
        var deps = Dependencies.System(http);
        var user = Expect.Right(UserKey.From("face-user"));
        var taken = new List<string>();
        var store = Pkce.FSharp.Stores.pending(
            FuncConvert.FromFunc<PendingAuthorization, CancellationToken, Task<FSharpResult<FUnit, PkceFailure>>>(
                (_, _) => Failed<FUnit>(PkceFailure.NewStoreFailure("disk full"))),
            FuncConvert.FromFunc<State, CancellationToken, Task<FSharpResult<PendingAuthorization, PkceFailure>>>(
                (state, _) => { taken.Add(state.Value); return Failed<PendingAuthorization>(PkceFailure.StateReplayed); }));

        var started = await Pkce.FSharp.Flow.start(deps, Config(), store, user, FSharpList<System.Tuple<string, string>>.Empty, default);
        Assert.Equal(PkceFailure.NewStoreFailure("disk full"), started.ErrorValue);

        var completed = await Pkce.FSharp.Flow.complete(deps, Config(), store, user, "http://127.0.0.1:8000/callback?code=c0de&state=the-state", default);
        Assert.Equal(PkceFailure.StateReplayed, completed.ErrorValue);
        Assert.Equal(["the-state"], taken);
    }

    [Fact]
    public async Task A_value_saved_through_FSharp_store_functions_reaches_the_core_and_is_taken_back()
    {
        using var http = HttpPort.Create();
        var deps = Dependencies.System(http);
        var user = Expect.Right(UserKey.From("face-user"));
        var rows = new Dictionary<string, PendingAuthorization>();
        var store = Pkce.FSharp.Stores.pending(
            FuncConvert.FromFunc<PendingAuthorization, CancellationToken, Task<FSharpResult<FUnit, PkceFailure>>>((pending, _) =>
            {
                rows.Add(pending.State.Value, pending);
                return Task.FromResult(FSharpResult<FUnit, PkceFailure>.NewOk(null!));
            }),
            FuncConvert.FromFunc<State, CancellationToken, Task<FSharpResult<PendingAuthorization, PkceFailure>>>((state, _) =>
                rows.Remove(state.Value, out var pending)
                    ? Task.FromResult(FSharpResult<PendingAuthorization, PkceFailure>.NewOk(pending))
                    : Failed<PendingAuthorization>(PkceFailure.StateUnknown)));

        var extras = ListModule.OfSeq([System.Tuple.Create("prompt", "consent")]);
        var started = await Pkce.FSharp.Flow.start(deps, Config(), store, user, extras, default);
        Assert.True(started.IsOk, started.IsError ? started.ErrorValue.ToString() : "");
        Assert.Contains("prompt=consent", started.ResultValue.AuthorizationUrl);
        var state = Assert.Single(rows.Keys);
        Assert.Equal(started.ResultValue.Pending.State.Value, state);

        var taken = await store.Take(started.ResultValue.Pending.State, default).ToEither();
        Assert.Equal(started.ResultValue.Pending, Expect.Right(taken));
        Assert.IsType<PkceError.StateUnknown>(Expect.Left(await store.Take(started.ResultValue.Pending.State, default).ToEither()));
    }
}
