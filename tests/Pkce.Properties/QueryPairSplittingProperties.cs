namespace Pkce.Properties;

/// <summary>A pair is split at its first '=': a pair starting with '=' has an empty name and keeps its value.</summary>
public class QueryPairSplittingProperties
{
    [Fact]
    public void APairIsSplitAtItsFirstEqualsSign() =>
        Assert.Equal(
            Seq(new QueryParameter("", "x"), new QueryParameter("a", "1=2"), new QueryParameter("", ""), new QueryParameter("b", "")),
            QueryString.Parse("=x&a=1=2&=&b"));

    [Property]
    public Property NameAndValueAreTheTextAroundTheFirstEqualsSign() =>
        Prop.ForAll(Arbitraries.Chars.StringOf(Gen.Elements("ab=".ToCharArray()), 0, 12).ToArbitrary(), pair =>
        {
            var parsed = QueryString.Parse(pair);
            if (pair.Length == 0) return parsed.IsEmpty;
            var eq = pair.IndexOf('=');
            var expected = eq < 0 ? new QueryParameter(pair, "") : new QueryParameter(pair[..eq], pair[(eq + 1)..]);
            return parsed.Count == 1 && parsed[0] == expected;
        });
}
