namespace Pkce.Properties;

/// <summary>
/// RFC 9110 §11.2's separators, where the parser must not guess: a challenge's parameters or token68 begin only after
/// a space, parameters are separated by commas only, and a challenge ends at anything other than a comma.
/// </summary>
public class WwwAuthenticateSeparatorsProperties
{
    private static string[] Parsed(string header) => [.. WwwAuthenticate.Parse(header).Map(Arbitraries.Challenges.Show)];

    [Theory]
    [InlineData("Basic/abc", new[] { "Basic []" })]
    [InlineData("Basic,realm=x", new[] { "Basic []", "realm []" })]
    [InlineData("DPoP a=\"1\" b=2", new[] { "DPoP [a=1]" })]
    [InlineData("DPoP a=1 b=2", new[] { "DPoP [a=1]" })]
    [InlineData("A B C", new[] { "A []" })]
    [InlineData("A B, C D", new[] { "A [] token68=B", "C [] token68=D" })]
    [InlineData("A b=, C", new[] { "A [] token68=b=", "C []" })]
    public void ParametersBeginAfterASpaceAndChallengesEndAtAnythingButAComma(string header, string[] expected) =>
        Assert.Equal(expected, Parsed(header));
}
