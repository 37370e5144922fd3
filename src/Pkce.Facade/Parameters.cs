using LanguageExt;

namespace Pkce.Facade;

/// <summary>Converts the facade's .NET collection types into the core's.</summary>
internal static class Parameters
{
    public static Seq<QueryParameter> From(IEnumerable<KeyValuePair<string, string>> pairs) =>
        Prelude.toSeq(pairs.Select(pair => new QueryParameter(pair.Key, pair.Value))).Strict();
}
