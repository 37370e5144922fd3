namespace Pkce.Properties.Arbitraries;

/// <summary>Caller extras for the authorization URL: Unicode names and values, never a protocol name.</summary>
internal static class Extras
{
    public static Gen<QueryParameter[]> Distinct =>
        Gen.Zip(Chars.WellFormedText.Where(n => n.Length > 0), Chars.WellFormedText)
            .Select(t => new QueryParameter(t.Item1, t.Item2))
            .ListOf()
            .Select(list => list
                .Where(p => !WireNames.AuthorizationRequestParameters.Contains(p.Name) && p.Name != "tenant")
                .DistinctBy(p => p.Name)
                .ToArray());
}
