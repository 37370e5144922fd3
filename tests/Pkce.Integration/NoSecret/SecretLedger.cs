using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Pkce.Integration.NoSecret;

/// <summary>
/// The secrets a test's flows handled (client secrets, verifiers, codes, tokens, DPoP private keys) and everything
/// those flows showed (log events, exception messages and ToString, command output, pages). <see cref="AssertNoLeak"/>
/// fails, listing every leak, if any secret appears in anything shown, whole or as a run of
/// <see cref="Fragment"/> characters.
/// </summary>
internal sealed class SecretLedger
{
    /// <summary>The shortest piece of a secret that counts as showing it.</summary>
    public const int Fragment = 12;

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Where, string Text)> _shown = new();
    private readonly ConcurrentDictionary<string, byte> _public = new(StringComparer.Ordinal);

    /// <summary>Records a secret of kind <paramref name="kind"/> (e.g. "access token"); null and empty are ignored.</summary>
    public void Secret(string kind, string? value)
    {
        if (!string.IsNullOrEmpty(value)) _secrets.TryAdd(value, kind);
    }

    /// <summary>
    /// Records a DPoP key's private parts: its PKCS#8 encoding (base64, as the stores keep it) and the JWK private
    /// members (base64url), and marks what a key of its kind shares with every other as not secret.
    /// </summary>
    public void Key(DpopKey key)
    {
        var pkcs8 = key.Export();
        Secret("DPoP private key (PKCS#8)", Convert.ToBase64String(pkcs8));
        Secret("DPoP private key (PKCS#8, base64url)", Base64Url.EncodeToString(pkcs8));
        foreach (var (member, value) in PrivateMembers(key.Algorithm, pkcs8)) Secret($"DPoP private key (JWK \"{member}\")", value);
        // What every key of the algorithm has in common (the DER structure), and the public key, are no secret.
        using var other = DpopKey.Generate(key.Algorithm).IfLeft(_ => throw new InvalidOperationException());
        Public(Convert.ToBase64String(other.Export()));
        Public(Base64Url.EncodeToString(other.Export()));
        Public(key.PublicJwk);
    }

    /// <summary>Text that holds no secret although it may share pieces with one (a key's public half, a structure every key has).</summary>
    public void Public(string text)
    {
        for (var i = 0; i + Fragment <= text.Length; i++) _public.TryAdd(text.Substring(i, Fragment), 0);
    }

    /// <summary>Records what was shown at <paramref name="where"/>, minus the values it was asked to show.</summary>
    public void Shown(string where, string? text, params string?[] requested)
    {
        if (string.IsNullOrEmpty(text)) return;
        foreach (var value in requested.Where(v => !string.IsNullOrEmpty(v))) text = text.Replace(value!, "[requested]", StringComparison.Ordinal);
        _shown.Enqueue((where, text));
    }

    /// <summary>Records an exception as it would be logged or shown: its message and its ToString (type, inner exceptions, stack).</summary>
    public void Shown(string where, Exception exception)
    {
        Shown(where + " (message)", exception.Message);
        Shown(where + " (ToString)", exception.ToString());
    }

    /// <summary>How many secrets of kinds containing <paramref name="kind"/> were recorded.</summary>
    public int Count(string kind) => _secrets.Values.Count(k => k.Contains(kind, StringComparison.Ordinal));

    /// <summary>Everything recorded as shown, for a test's own checks.</summary>
    public IEnumerable<(string Where, string Text)> All => _shown;

    /// <summary>
    /// Fails unless every kind in <paramref name="handled"/> was recorded (a test that saw no secret proves nothing)
    /// and nothing shown holds a secret or a <see cref="Fragment"/>-character piece of one.
    /// </summary>
    public void AssertNoLeak(params string[] handled)
    {
        var missing = handled.Where(kind => Count(kind) == 0).ToList();
        Assert.True(missing.Count == 0, "the flows handled no " + string.Join(", ", missing) + ": the test would prove nothing");
        Assert.NotEmpty(_shown);

        var pieces = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (secret, kind) in _secrets)
            foreach (var piece in Pieces(secret))
                if (!_public.ContainsKey(piece)) pieces.TryAdd(piece, kind);
        var lookup = pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        var leaks = new List<string>();
        foreach (var (where, text) in _shown)
        {
            foreach (var (secret, kind) in _secrets.Where(s => s.Key.Length < Fragment))
                if (text.Contains(secret, StringComparison.Ordinal)) leaks.Add($"{where}: a {kind}, whole: {Context(text, text.IndexOf(secret, StringComparison.Ordinal), secret.Length)}");
            for (var i = 0; i + Fragment <= text.Length; i++)
            {
                if (!lookup.TryGetValue(text.AsSpan(i, Fragment), out var kind)) continue;
                leaks.Add($"{where}: a {kind}, piece '{text.Substring(i, Fragment)}' in {Context(text, i, Fragment)}");
                break;
            }
        }
        Assert.True(leaks.Count == 0, $"{leaks.Count} leak(s) of {_secrets.Count} secrets in {_shown.Count} texts shown:\n" + string.Join("\n", leaks));
    }

    /// <summary>
    /// The pieces of a secret that count: every run of <see cref="Fragment"/> characters, except in the first part of
    /// a JWT or JWE (its header, the same for every token a server issues); the secret itself when it is shorter.
    /// </summary>
    private static IEnumerable<string> Pieces(string secret)
    {
        var parts = secret.Split('.');
        var secretParts = parts.Length is 3 or 5 && parts[0].StartsWith("eyJ", StringComparison.Ordinal) ? parts.Skip(1) : [secret];
        foreach (var part in secretParts)
            for (var i = 0; i + Fragment <= part.Length; i++)
                yield return part.Substring(i, Fragment);
    }

    private static string Context(string text, int at, int length)
    {
        var start = Math.Max(0, at - 40);
        var end = Math.Min(text.Length, at + length + 40);
        return "\"" + text[start..end].ReplaceLineEndings(" ") + "\"";
    }

    private static IEnumerable<(string Member, string Value)> PrivateMembers(string algorithm, byte[] pkcs8)
    {
        if (algorithm == "ES256")
        {
            using var ec = ECDsa.Create();
            ec.ImportPkcs8PrivateKey(pkcs8, out _);
            yield return ("d", Base64Url.EncodeToString(ec.ExportParameters(true).D));
            yield break;
        }
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pkcs8, out _);
        var p = rsa.ExportParameters(true);
        foreach (var (member, bytes) in new[] { ("d", p.D), ("p", p.P), ("q", p.Q), ("dp", p.DP), ("dq", p.DQ), ("qi", p.InverseQ) })
            yield return (member, Base64Url.EncodeToString(bytes));
    }

    /// <summary>The text of a response as a browser would see it: status, headers, body.</summary>
    public static async Task<string> TextOf(HttpResponseMessage response)
    {
        var text = new StringBuilder($"{(int)response.StatusCode} {response.ReasonPhrase}\n");
        foreach (var header in response.Headers.Concat(response.Content.Headers)) text.Append($"{header.Key}: {string.Join(", ", header.Value)}\n");
        text.Append(await response.Content.ReadAsStringAsync());
        return text.ToString();
    }
}
