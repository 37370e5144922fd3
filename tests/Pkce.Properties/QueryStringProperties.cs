using Pkce.Properties.Arbitraries;

namespace Pkce.Properties;

public class QueryStringProperties
{
    private static readonly Arbitrary<string> Queries = Chars.StringOf(Chars.QueryChar, 0, 80).ToArbitrary();

    [Property(MaxTest = 2000)]
    public Property ParsingArbitraryQueriesNeverThrows() =>
        Prop.ForAll(Queries, query =>
        {
            var all = QueryString.Parse(query);
            var unique = QueryString.ParseUnique(query);
            return unique.IsRight == (all.Map(p => p.Name).Distinct().Count() == all.Count);
        });

    [Property]
    public Property EncodeThenDecodeIsIdentity() =>
        Prop.ForAll(Chars.WellFormedText.ToArbitrary(), text =>
            QueryString.Decode(Support.Right(QueryString.Encode(text))) == text
            && QueryString.Decode(Support.Right(QueryString.FormEncode(text))) == text);

    [Property]
    public Property EncodedTextIsOnlyUnreservedAndPercentEscapes() =>
        Prop.ForAll(Chars.WellFormedText.ToArbitrary(), text =>
            Support.Right(QueryString.Encode(text)).All(c => Chars.Unreserved.Contains(c) || c == '%' || char.IsAsciiHexDigitUpper(c)));

    [Property]
    public Property ARepeatedNameIsAlwaysRefused() =>
        Prop.ForAll(Chars.StringOf(Chars.QueryChar, 0, 30).ToArbitrary(), Gen.Elements("state", "code", "iss", "error").ToArbitrary(), (noise, name) =>
            QueryString.ParseUnique($"{name}=1&{Uri.EscapeDataString(noise)}=x&{name}=2").IsLeft);

    [Fact]
    public void PlusIsSpaceAndEscapedPlusIsPlus() =>
        Assert.Equal(Seq(new QueryParameter("a b", "c+d"), new QueryParameter("e", "")), QueryString.Parse("?a+b=c%2Bd&&e"));
}
