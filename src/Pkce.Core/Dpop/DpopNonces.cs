using System.Collections.Concurrent;
using LanguageExt;
using static LanguageExt.Prelude;

namespace Pkce;

/// <summary>
/// The last nonce each server gave (RFC 9449 §8, §9), per origin: the authorization server's and each resource
/// server's are separate ("a nonce ... is specific to the server that issued it"). Each answer's <c>DPoP-Nonce</c>
/// replaces the origin's; only values of the §8.1 syntax are kept (<c>nonce = 1*NQCHAR</c>), so a hostile header
/// cannot put anything else into a proof.
/// </summary>
public sealed class DpopNonces
{
    private readonly ConcurrentDictionary<string, string> _nonces = new(StringComparer.Ordinal);

    /// <summary>The nonce to put in a proof for <paramref name="target"/>, if its origin gave one.</summary>
    public Option<string> For(Uri target) => _nonces.TryGetValue(Origin(target), out var nonce) ? Some(nonce) : None;

    /// <summary>Keeps <paramref name="nonce"/> for <paramref name="target"/>'s origin if it has the §8.1 syntax; true if kept.</summary>
    public bool Remember(Uri target, string? nonce)
    {
        if (!IsNonce(nonce)) return false;
        _nonces[Origin(target)] = nonce!;
        return true;
    }

    /// <summary>§8.1: <c>nonce = 1*NQCHAR</c>, <c>NQCHAR = %x21 / %x23-5B / %x5D-7E</c>; bounded here at 1024 characters.</summary>
    public static bool IsNonce(string? value) =>
        value is { Length: > 0 and <= 1024 } && value.All(c => c is '\x21' or >= '\x23' and <= '\x5B' or >= '\x5D' and <= '\x7E');

    private static string Origin(Uri target) => target.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
}
