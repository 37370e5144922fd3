using System.Text;
using LanguageExt;
using Pkce.Cli;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce.Fuzz;

/// <summary>
/// One harness per parser that reads outside input: bytes in, the parser called, its result printed (the printing
/// of errors shows server text too). A typed <see cref="PkceError"/> is an answer; any exception is a crash, left
/// to escape so that afl-fuzz sees it. Compiled into the fuzzing program and into tests/Pkce.Integration, whose
/// <c>FuzzCorpusTests</c> replays every seed and every crash found through the same functions.
/// </summary>
internal static class Harnesses
{
    /// <summary>The targets by name: the names of the folders under corpus/ and crashes/.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> Targets = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["callback"] = CallbackUrl,
        ["token"] = TokenResponse,
        ["metadata"] = Metadata,
        ["par"] = PushedAuthorization,
        ["www-authenticate"] = WwwAuthenticateHeader,
        ["pending-codec"] = PendingEntry,
        ["token-codec"] = TokenEntry,
        ["cli-callback"] = CliCallbackRequest,
        ["dpop-key"] = DpopKeyImport,
        ["cli-token-file"] = CliTokenFile,
    };

    /// <summary>
    /// What the harnesses hold fixed. Made on first use, inside a harness: instrumented code (all of Pkce.Core) that
    /// runs before SharpFuzz has set up afl-fuzz's trace map writes to memory that is not there yet.
    /// </summary>
    private static class Fixed
    {
        /// <summary>The state the callback seeds carry, so that the checks behind a matching state are reached.</summary>
        public static readonly State ExpectedState = State.From("fuzzstate0fuzzstate1fuzzstate2fuzzstate3abc").IfLeft(_ => throw new InvalidOperationException());

        /// <summary>The command's redirect URI with a bound port, as its callback seeds address it.</summary>
        public static readonly Uri CliRedirectUri = new("http://127.0.0.1:53682/callback");

        /// <summary>The issuers asked for: the metadata seeds' (an https one, and the local authority's).</summary>
        public static readonly string[] Issuers = ["https://login.example.com", "http://127.0.0.1:5000/"];

        public static readonly PkceSettings DiscoverySettings = new() { ClientId = "fuzz-client", RedirectUri = "http://127.0.0.1:53682/callback" };

        /// <summary>A client of the https issuer, for what a parsed answer goes into.</summary>
        public static readonly PkceConfig Config = Pkce.Config.Validate(DiscoverySettings with
        {
            AuthorizationEndpoint = "https://login.example.com/authorize", TokenEndpoint = "https://login.example.com/token",
        }).IfLeft(_ => throw new InvalidOperationException());

        public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    }

    /// <summary>A callback URL or query (<see cref="Callback.Parse(string)"/>), and the listener's state check on it.</summary>
    public static void CallbackUrl(byte[] data)
    {
        var text = Text(data);
        Show(Callback.Parse(text));
        _ = Callback.CarriesState(text, Fixed.ExpectedState);
    }

    /// <summary>
    /// A token endpoint body (<see cref="TokenResponseParser.Parse(HttpAnswer, bool)"/>), as a success and as an error
    /// status, to a request with and without a DPoP proof. A token it accepts is then used as the library and the
    /// command use one: kept as a <see cref="TokenSet"/>, its whole object read, and printed by the command.
    /// </summary>
    public static void TokenResponse(byte[] data)
    {
        foreach (var status in (int[])[200, 400])
            foreach (var dpop in (bool[])[false, true])
                Show(TokenResponseParser.Parse(Answer("token endpoint", status, data), dpop).Map(token =>
                {
                    _ = TokenSet.From(token, Fixed.Now);
                    _ = token.ParseJson().ValueKind;
                    return TokenJson.Printable(token);
                }));
    }

    /// <summary>A metadata document (<see cref="MetadataParser.Parse"/>) for an https and a loopback issuer, then the configuration it drives (<see cref="DiscoveredConfig.From"/>).</summary>
    public static void Metadata(byte[] data)
    {
        foreach (var issuer in Fixed.Issuers)
            Show(MetadataParser.Parse(Answer(MetadataParser.EndpointName, 200, data), issuer).Bind(m => DiscoveredConfig.From(Fixed.DiscoverySettings, m)));
    }

    /// <summary>
    /// A pushed authorization request's answer (<see cref="PushedAuthorizationRequest.Parse"/>), as 201 and as 400;
    /// a reference it accepts then goes into the URL the user is sent to (<see cref="AuthorizationUrl.Pushed"/>).
    /// </summary>
    public static void PushedAuthorization(byte[] data)
    {
        foreach (var status in (int[])[201, 400])
            Show(PushedAuthorizationRequest.Parse(Answer(PushedAuthorizationRequest.EndpointName, status, data))
                .Map(pushed => AuthorizationUrl.Pushed(Fixed.Config, pushed.RequestUri)));
    }

    /// <summary><c>WWW-Authenticate</c> values (<see cref="WwwAuthenticate.Parse(string)"/>): the input as one header, and each line as a header of its own.</summary>
    public static void WwwAuthenticateHeader(byte[] data)
    {
        var text = Text(data);
        var one = WwwAuthenticate.Parse(text);
        var many = WwwAuthenticate.Parse(text.Split('\n'));
        _ = WwwAuthenticate.AsksForDpopNonce(one) | WwwAuthenticate.AsksForDpopNonce(many);
        _ = one.ToString() + many.ToString();
    }

    /// <summary>
    /// A stored pending authorization (<see cref="PendingCodec.Decode"/>). What it reads, written again, must read back
    /// the same: a store must be able to keep what it was given.
    /// </summary>
    public static void PendingEntry(byte[] data) =>
        PendingCodec.Decode(Text(data)).IfRight(pending =>
        {
            var stored = PendingCodec.Encode(pending);
            var again = PendingCodec.Decode(stored);
            if (again.Map(PendingCodec.Encode) != Right<PkceError, string>(stored))
                throw new InvalidOperationException($"PendingCodec does not read back what it wrote: {again}");
        });

    /// <summary>Stored tokens (<see cref="TokenCodec.Decode"/>); what it reads, written again, must read back the same.</summary>
    public static void TokenEntry(byte[] data) =>
        TokenCodec.Decode(1, Text(data)).IfRight(tokens =>
        {
            var stored = TokenCodec.Encode(tokens);
            var again = TokenCodec.Decode(1, stored);
            if (again.Map(TokenCodec.Encode) != Right<PkceError, string>(stored))
                throw new InvalidOperationException($"TokenCodec does not read back what it wrote: {again}");
        });

    /// <summary>
    /// A request to the command's loopback listener (<see cref="CallbackRequest.Decide"/>), written as an HTTP/1.1
    /// request head: <c>METHOD TARGET HTTP/1.1</c>, then headers, of which <c>Host</c> counts. The path is the
    /// target's up to <c>?</c>, percent-decoded, as Kestrel hands it on. Decided with and without a login waiting;
    /// an accepted callback then goes to <see cref="Callback.Parse(string)"/>, as the command does.
    /// </summary>
    public static void CliCallbackRequest(byte[] data)
    {
        var lines = Text(data).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var request = lines[0].Split(' ');
        var (method, target) = (request[0], request.Length > 1 ? request[1] : "");
        var host = lines.Skip(1).TakeWhile(l => l.Length > 0)
            .Where(l => l.StartsWith("host:", StringComparison.OrdinalIgnoreCase)).Select(l => l[5..].Trim()).FirstOrDefault() ?? "";
        var path = Uri.UnescapeDataString(PathOf(target));
        foreach (var expected in (State?[])[Fixed.ExpectedState, null])
            if (CallbackRequest.Decide(Fixed.CliRedirectUri, expected, host, method, path, target) is CallbackRequest.Accepted accepted)
                Show(Callback.Parse(accepted.Url));
            else
                _ = ServerText.Printable(target);
    }

    /// <summary>A stored DPoP key (<see cref="DpopKey.Import"/>, PKCS#8) as ES256 and as RS256; a key it accepts must sign a proof.</summary>
    public static void DpopKeyImport(byte[] data)
    {
        foreach (var algorithm in (string[])["ES256", "RS256"])
            DpopKey.Import(algorithm, data).Match(
                key =>
                {
                    using (key)
                        _ = DpopProof.Create(key, "POST", new Uri("https://login.example.com/token"), Fixed.Now, "fuzz-jti", None, None) + key;
                },
                error => _ = error.ToString());
    }

    /// <summary>
    /// A token file of <c>pkce token --profile</c>, read the two ways the command reads one: the narrow reader that
    /// answers before anything is loaded (<see cref="QuickToken.FreshAccessToken"/>, over <see cref="CompactJson"/>),
    /// and the full command's (<see cref="TokenFile.Read"/>), whose refusal is the typed answer.
    /// </summary>
    public static void CliTokenFile(byte[] data)
    {
        _ = QuickToken.FreshAccessToken(data, Fixed.Now);
        _ = TokenFile.Read(data).Match(stored => stored.ToString(), problem => ServerText.Printable(problem));
    }

    /// <summary>The path of a request target: origin form up to <c>?</c>, or the path of an absolute form.</summary>
    private static string PathOf(string target)
    {
        var query = target.IndexOf('?');
        var path = query < 0 ? target : target[..query];
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || path.StartsWith('/')) return path;
        var slash = path.IndexOf('/', scheme + 3);
        return slash < 0 ? "/" : path[slash..];
    }

    private static HttpAnswer Answer(string endpoint, int status, byte[] body) => new(endpoint, status, Some("application/json"), body);

    /// <summary>Prints the result as a log line or a message would, and so runs every error's printing of server text.</summary>
    private static void Show<T>(Either<PkceError, T> result) => _ = result.Match(value => value?.ToString(), error => error.Message + error);

    /// <summary>
    /// The bytes as a .NET string, in a way that reaches every string: UTF-8, except that the three-byte form of a
    /// surrogate (<c>ED A0..BF 80..BF</c>, which UTF-8 forbids) gives that lone surrogate, which a .NET string can
    /// hold and no UTF-8 decoder makes. Other invalid bytes become U+FFFD.
    /// </summary>
    public static string Text(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder(data.Length);
        Span<char> chars = stackalloc char[2];
        while (!data.IsEmpty)
        {
            if (data.Length >= 3 && data[0] == 0xED && data[1] is >= 0xA0 and <= 0xBF && data[2] is >= 0x80 and <= 0xBF)
            {
                text.Append((char)(0xD000 | ((data[1] & 0x3F) << 6) | (data[2] & 0x3F)));
                data = data[3..];
                continue;
            }
            Rune.DecodeFromUtf8(data, out var rune, out var consumed);
            text.Append(chars[..rune.EncodeToUtf16(chars)]);
            data = data[consumed..];
        }
        return text.ToString();
    }
}
