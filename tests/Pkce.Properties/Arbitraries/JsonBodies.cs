using System.Text;

namespace Pkce.Properties.Arbitraries;

/// <summary>
/// Token endpoint bodies that speak JSON's grammar: right and wrong member types, numeric strings, huge numbers,
/// deep nesting, escapes (lone surrogates among them, in values and in member names), then byte-level damage
/// (truncation, invalid UTF-8).
/// </summary>
internal static class JsonBodies
{
    private static readonly string[] Members =
    [
        "access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token",
        "error", "error_description", "error_uri", "x", "", "\\ud800", "x\\udc00",
    ];

    private static Gen<string> Scalar => Gen.Elements(
        "null", "true", "false", "0", "-1", "3600", "3600.5", "1e400", "-0", "123456789012345678901234567890",
        "\"3600\"", "\"abc\"", "\"\"", "\"Bearer\"", "\"\\u00e9\\n\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\\"\"", "\"1e3\"", "\"-5\"");

    private static Gen<string> Value(int depth) =>
        depth <= 0
            ? Scalar
            : Gen.Frequency(
                (6, Scalar),
                (1, Value(depth - 1).ListOf(3).Select(items => "[" + string.Join(",", items) + "]")),
                (1, Object(depth - 1)));

    private static Gen<string> Object(int depth) =>
        Gen.Zip(Gen.Elements(Members), Value(depth)).ListOf(7)
            .Select(members => "{" + string.Join(",", members.Select(m => $"\"{m.Item1}\":{m.Item2}")) + "}");

    private static Gen<string> Text => Gen.Frequency(
        (8, Object(2)),
        (1, Value(2)),
        (1, Gen.Choose(1, 300).Select(n => new string('[', n) + new string(']', n))),
        (1, Gen.Elements("", "<html><body>Bad gateway</body></html>", "{", "{\"access_token\":", "access_token=x&token_type=bearer")));

    private static Gen<byte[]> Damaged(byte[] bytes) => Gen.Frequency(
        (6, Gen.Constant(bytes)),
        (2, Gen.Choose(0, bytes.Length).Select(n => bytes[..n])),
        (2, Gen.Zip(Gen.Choose(0, bytes.Length), Gen.Elements<byte[]>([0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xE2, 0x82])).Select(t =>
            bytes[..t.Item1].Concat(t.Item2).Concat(bytes[t.Item1..]).ToArray())));

    public static Gen<byte[]> Bodies => Text.SelectMany(t => Damaged(Encoding.UTF8.GetBytes(t)));

    public static Gen<int> Statuses => Gen.Elements(200, 200, 200, 201, 204, 302, 400, 400, 401, 403, 500, 503);

    public static Gen<Option<string>> ContentTypes => Gen.Elements(
        Some("application/json"), Some("application/json; charset=utf-8"), Some("application/problem+json"),
        Some("text/html"), Some("text/plain"), Option<string>.None);
}
