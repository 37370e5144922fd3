using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class TokenKeyProperties
{
    private static Gen<string> AnyText(int min) => Chars.StringOf(Chars.AnyChar, min, 12);

    private static TokenKey Key(string user, string resource, string scope) => new(Support.User(user), resource, scope);

    [Property(MaxTest = 1000)]
    public Property DistinctKeysHaveDistinctValuesAndIds() =>
        Prop.ForAll((from user in AnyText(1) from resource in AnyText(0) from scope in AnyText(0) from other in AnyText(1)
                     select (user, resource, scope, other)).ToArbitrary(), t =>
        {
            var a = Key(t.user, t.resource, t.scope);
            var b = Key(t.other, t.scope, t.resource);
            return (a == b) == (a.Value == b.Value) && (a.Value == b.Value) == (a.Id == b.Id);
        });

    [Property]
    public Property AnIdIsSixtyFourLowercaseHexDigits() =>
        Prop.ForAll(AnyText(1).ToArbitrary(), AnyText(0).ToArbitrary(), (user, scope) =>
            Key(user, "", scope).Id.Length == 64 && Key(user, "", scope).Id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'));

    [Fact] // SHA-256 of "1:u|0:|0:" in UTF-16LE, computed outside .NET
    public void The_id_is_the_SHA256_of_the_value_in_UTF16LE() =>
        Assert.Equal("98293ad1fdf703bf77806c8d874c0f1319b98cbd07163ddf9d705d6e529e2d52", Key("u", "", "").Id);

    [Fact]
    public void Lone_surrogates_that_UTF8_would_merge_get_distinct_ids() =>
        Assert.Equal(3, new[] { "a\ud800", "a\ud801", "a\ufffd" }.Select(u => Key(u, "", "").Id).Distinct().Count());
}
