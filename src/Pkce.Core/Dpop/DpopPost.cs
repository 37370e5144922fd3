using System.Text.Json;
using LanguageExt;
using Pkce.Http;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// Sends a POST to the authorization server with a DPoP proof when the client uses DPoP (token requests; RFC 9449
/// §5), remembering each <c>DPoP-Nonce</c> the server gives. RFC 9449 §8: a server that wants a nonce answers
/// 400 <c>use_dpop_nonce</c> with the nonce, "the client MUST ... retry the request with the new nonce"; that
/// answer is an error, so the server has not redeemed the code or refresh token it carried, and sending the
/// request once more, with a fresh proof holding the nonce, is the one case a token request is sent twice.
/// Exactly once more, and within the deadline given for the request (not a second one): a second
/// <c>use_dpop_nonce</c> is returned as the error it is.
/// </summary>
internal static class DpopPost
{
    public static async Task<Either<PkceError, HttpAnswer>> Send(Dependencies deps, FormPost post, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (deps.Dpop.Case is not DpopBinding dpop) return await deps.Http.Post(post, timeout, cancellationToken).ConfigureAwait(false);
        var started = deps.Clock.GetTimestamp();
        var first = await SendWithProof(deps, dpop, post, timeout, cancellationToken).ConfigureAwait(false);
        // Both sends share the one deadline: a caller's limit (the refresh lease's) holds for the pair, not for each.
        var left = timeout - deps.Clock.GetElapsedTime(started);
        return left > TimeSpan.Zero && first.Exists(answer => AsksForNonce(answer) && answer.DpopNonce.Exists(n => DpopNonces.IsNonce(n)))
            ? await SendWithProof(deps, dpop, post, left, cancellationToken).ConfigureAwait(false)
            : first;
    }

    private static async Task<Either<PkceError, HttpAnswer>> SendWithProof(Dependencies deps, DpopBinding dpop, FormPost post, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var proof = dpop.Proof(deps.Random, deps.Clock, "POST", post.Endpoint, None);
        var answer = await deps.Http.Post(post with { Proof = proof }, timeout, cancellationToken).ConfigureAwait(false);
        answer.IfRight(a => a.DpopNonce.IfSome(nonce => dpop.Nonces.Remember(post.Endpoint, nonce)));
        return answer;
    }

    /// <summary>§8: HTTP 400 with a JSON body whose <c>error</c> is <c>use_dpop_nonce</c>.</summary>
    private static bool AsksForNonce(HttpAnswer answer)
    {
        if (answer.Status != 400) return false;
        try
        {
            using var json = JsonDocument.Parse(answer.Body);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty(WireNames.Error, out var error) && error.ValueKind == JsonValueKind.String
                && error.ValueEquals("use_dpop_nonce");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }
}
