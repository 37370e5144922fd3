namespace Pkce.Properties.Arbitraries;

/// <summary>Caller extras for the authorization URL: Unicode names and values, never a protocol name.</summary>
internal static class Extras
{
    /// <summary>Extra names: ASCII letters, digits, '_' and '-', as the library accepts.</summary>
    public static Gen<string> Names =>
        Gen.NonEmptyListOf(Gen.Elements("abcxyzABCXYZ0189_-".ToCharArray())).Select(cs => new string(cs.ToArray()));

    /// <summary>A reserved name in any mix of letter case (<c>STATE</c>, <c>Code_Challenge_Method</c>).</summary>
    public static Gen<string> ReservedInAnyCase =>
        Gen.Elements(WireNames.ReservedAuthorizationParameters.ToArray())
            .SelectMany(name => Gen.ArrayOf(Gen.Elements(true, false), name.Length)
                .Select(upper => new string(name.Select((c, i) => upper[i] ? char.ToUpperInvariant(c) : c).ToArray())));

    public static Gen<QueryParameter[]> Distinct =>
        Gen.Zip(Names, Chars.WellFormedText)
            .Select(t => new QueryParameter(t.Item1, t.Item2))
            .ListOf()
            .Select(list => list
                .Where(p => !WireNames.ReservedAuthorizationParameters.Contains(p.Name) && !p.Name.Equals("tenant", StringComparison.OrdinalIgnoreCase))
                .DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
                .ToArray());
}
