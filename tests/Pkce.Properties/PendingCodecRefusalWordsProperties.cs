using System.Text.Json.Nodes;

namespace Pkce.Properties;

/// <summary>
/// A stored pending authorization that is not what <see cref="PendingCodec.Encode"/> wrote is refused as one
/// <see cref="PkceError.StoreFailure"/> naming what is wrong: a member missing or of the wrong JSON type (never an
/// exception, never "not readable" for a readable document), a value breaking its rule, a challenge of another verifier.
/// </summary>
public class PendingCodecRefusalWordsProperties
{
    private static string Encoded() =>
        PendingCodec.Encode(Support.Pending(Support.Config(), Support.User("u"), DateTimeOffset.UnixEpoch));

    private static string With(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(Encoded())!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    public static TheoryData<Func<string>, string> Damages => new()
    {
        { () => "not json", "not readable" },
        { () => "[1]", "unknown format" },
        { () => With(j => j["v"] = 2), "unknown format" },
        { () => With(j => j["state"] = 5), "invalid state: missing" },
        { () => With(j => j["state"] = "a\u0001"), "invalid state: contains a character outside VSCHAR (%x20-7E)" },
        { () => With(j => j.Remove("verifier")), "invalid code verifier: missing" },
        { () => With(j => j["user"] = true), "invalid user key: missing" },
        { () => With(j => j["redirect_uri"] = 1), "redirect URI" },
        { () => With(j => j["redirect_uri"] = "no scheme"), "redirect URI" },
        { () => With(j => j["redirect_uri"] = "/callback"), "redirect URI" },
        { () => With(j => j["redirect_uri"] = "//127.0.0.1/callback"), "redirect URI" },
        { () => With(j => j["created"] = 1), "creation time" },
        { () => With(j => j["created"] = "yesterday"), "creation time" },
        { () => With(j => j["expires"] = 1), "expiry" },
        { () => With(j => j.Remove("expires")), "expiry" },
        { () => With(j => j["issuer_required"] = "yes"), "issuer flag" },
        { () => With(j => j.Remove("issuer_required")), "issuer flag" },
        { () => With(j => j["challenge"] = new string('A', 43)), "challenge does not match verifier" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void EachDamageIsAStoreFailureNamingIt(Func<string> damaged, string what)
    {
        var error = Assert.IsType<PkceError.StoreFailure>(Support.Left(PendingCodec.Decode(damaged())));
        Assert.Equal("stored entry is corrupt: " + what, error.Reason);
    }

    [Fact]
    public void BooleanIssuerFlagsOfBothValuesAreRead()
    {
        Assert.False(Support.Right(PendingCodec.Decode(With(j => j["issuer_required"] = false))).IssuerRequired);
        Assert.True(Support.Right(PendingCodec.Decode(With(j => j["issuer_required"] = true))).IssuerRequired);
    }
}
