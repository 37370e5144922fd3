using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Pkce.LocalAuthority;

/// <summary>
/// DPoP (RFC 9449) for the authority's OpenIddict server. OpenIddict 7.8.0 has none: no proof parsing, no
/// <c>cnf.jkt</c>, no <c>token_type</c> <c>DPoP</c>, no nonces, no <c>dpop_jkt</c> (its sender-constraining is mTLS
/// only, <c>cnf.x5t#S256</c>). These event handlers add it: proofs are checked (by <see cref="DpopProofValidator"/>)
/// at the token endpoint before the code or refresh token is looked at, so a refused proof or a missing nonce
/// consumes nothing; the issued access token carries <c>cnf.jkt</c> (which OpenIddict's introspection already
/// returns); a public client's refresh token is bound to the key (§5); <c>dpop_jkt</c> from the authorization
/// request, or from the DPoP header of a pushed one (§10.1), binds the code.
/// </summary>
internal static partial class DpopServer
{
    /// <summary>The transaction property holding the thumbprint of the valid proof sent with this request.</summary>
    public const string ThumbprintProperty = "pkce:dpop:jkt";

    /// <summary>A private claim of the authorization code: the <c>dpop_jkt</c> it is bound to. Kept out of every other token.</summary>
    public const string CodeBindingClaim = "pkce_dpop_jkt";

    /// <summary>RFC 9449 §10: the authorization request parameter.</summary>
    public const string DpopJktParameter = "dpop_jkt";

    /// <summary>RFC 9449 §8: the response header carrying the nonce.</summary>
    public const string NonceHeader = "DPoP-Nonce";

    /// <summary>Registers the handlers, and replaces OpenIddict's proof-of-possession check (which throws on a <c>cnf</c> without <c>x5t#S256</c>).</summary>
    public static OpenIddictServerBuilder AddDpop(this OpenIddictServerBuilder server) => server
        .AddEventHandler(TokenRequestProof.Descriptor)
        .AddEventHandler(CodeBinding.Descriptor)
        .AddEventHandler(PushedRequestProof.Descriptor)
        .AddEventHandler(DpopJktFormat.Descriptor)
        .AddEventHandler(IssuedTokenBinding.Descriptor)
        .AddEventHandler(DpopTokenType.Descriptor)
        .AddEventHandler(IntrospectedTokenType.Descriptor)
        .AddEventHandler(Metadata.Descriptor)
        .RemoveEventHandler(OpenIddictServerHandlers.Protection.ValidateProofOfPossession.Descriptor)
        .AddEventHandler(RefreshTokenBinding.Descriptor);

    /// <summary>The thumbprint in a principal's <c>cnf.jkt</c> (RFC 9449 §6.1), or null.</summary>
    public static string? Confirmation(ClaimsPrincipal principal) =>
        principal.GetClaim(Claims.Confirmation) is { Length: > 0 } cnf && JsonNode.Parse(cnf) is JsonObject json && json["jkt"] is JsonValue jkt
            && jkt.TryGetValue<string>(out var thumbprint) ? thumbprint : null;

    /// <summary>The request URL without query, as RFC 9449 §4.3 (9) compares <c>htu</c> with it.</summary>
    public static Uri RequestUrl(HttpRequest request) =>
        new(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path));

    /// <summary>
    /// Checks the request's DPoP proof at an authorization server endpoint; null when it has none. With nonces required,
    /// every answer of the endpoint carries the current one (§8.2 lets a server hand it out in any response).
    /// </summary>
    private static async Task<DpopProofResult?> CheckAsync(OpenIddictServerTransaction transaction, DpopProofValidator validator, DpopNonces nonces, LocalAuthorityOptions options)
    {
        var request = transaction.GetHttpRequest() ?? throw new InvalidOperationException("DPoP needs the ASP.NET Core request");
        if (options.RequireDpopNonce) request.HttpContext.Response.Headers[NonceHeader] = nonces.AuthorizationServer.Current;
        var proofs = request.Headers["DPoP"];
        if (proofs.Count == 0) return null;
        var nonce = options.RequireDpopNonce ? nonces.AuthorizationServer.Current : null;
        return await validator.ValidateAsync(new DpopProofRequest(proofs, request.Method, RequestUrl(request), null, nonce));
    }

    /// <summary>
    /// RFC 9449 §5: the token endpoint checks the proof (refusing a request without one when
    /// <see cref="LocalAuthorityOptions.RequireDpop"/>), before OpenIddict authenticates the client and reads the
    /// code or refresh token.
    /// </summary>
    private sealed class TokenRequestProof(DpopProofValidator validator, DpopNonces nonces, LocalAuthorityOptions options)
        : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<TokenRequestProof>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order - 500)
            .Build();

        public async ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            switch (await CheckAsync(context.Transaction, validator, nonces, options))
            {
                case null when options.RequireDpop:
                    context.Reject("invalid_dpop_proof", "this server issues only DPoP-bound tokens: the request needs a DPoP proof");
                    break;
                case DpopProofResult.Invalid invalid:
                    context.Reject(invalid.Error, invalid.Description);
                    break;
                case DpopProofResult.Valid valid:
                    context.Transaction.SetProperty(ThumbprintProperty, valid.Thumbprint);
                    break;
            }
        }
    }

    /// <summary>
    /// RFC 9449 §10: "verifies that it matches the dpop_jkt parameter value in the authorization request. If they do
    /// not match, it MUST reject the request." Checked once OpenIddict has validated the code, before it redeems it.
    /// </summary>
    private sealed class CodeBinding : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
            .UseSingletonHandler<CodeBinding>()
            .SetOrder(OpenIddictServerHandlers.Exchange.ValidateAuthentication.Descriptor.Order + 500)
            .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (context.AuthorizationCodePrincipal?.GetClaim(CodeBindingClaim) is not { } bound) return ValueTask.CompletedTask;
            var presented = context.Transaction.GetProperty<string>(ThumbprintProperty);
            if (presented is null) context.Reject(Errors.InvalidGrant, "the authorization code is bound to a DPoP key (dpop_jkt) and the request has no DPoP proof");
            else if (!string.Equals(presented, bound, StringComparison.Ordinal)) context.Reject(Errors.InvalidGrant, "the DPoP proof's key does not match the dpop_jkt of the authorization request");
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// RFC 9449 §10.1: a DPoP header at the PAR endpoint is checked, must agree with a <c>dpop_jkt</c> sent beside it,
    /// and otherwise acts as one (the request's parameters are what OpenIddict stores for the authorization endpoint).
    /// </summary>
    private sealed class PushedRequestProof(DpopProofValidator validator, DpopNonces nonces, LocalAuthorityOptions options)
        : IOpenIddictServerHandler<ValidatePushedAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidatePushedAuthorizationRequestContext>()
            .UseSingletonHandler<PushedRequestProof>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidatePushedAuthentication.Descriptor.Order + 500)
            .Build();

        public async ValueTask HandleAsync(ValidatePushedAuthorizationRequestContext context)
        {
            switch (await CheckAsync(context.Transaction, validator, nonces, options))
            {
                case DpopProofResult.Invalid invalid:
                    context.Reject(invalid.Error, invalid.Description);
                    break;
                case DpopProofResult.Valid valid when (string?)context.Request[DpopJktParameter] is { } jkt && jkt != valid.Thumbprint:
                    context.Reject(Errors.InvalidRequest, "the DPoP proof's key does not match dpop_jkt");
                    break;
                case DpopProofResult.Valid valid:
                    context.Request[DpopJktParameter] = valid.Thumbprint;
                    break;
            }
        }
    }

    /// <summary>A <c>dpop_jkt</c> must look like a thumbprint: 43 base64url characters (a SHA-256 hash).</summary>
    private sealed class DpopJktFormat : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        // After OpenIddict restored a pushed request's parameters, so those are checked too. Like every refusal while
        // OpenIddict validates an authorization request, it is answered with a 400 page, not at the redirect URI.
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<DpopJktFormat>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateAuthentication.Descriptor.Order + 500)
            .Build();

        public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            var parameter = context.Request[DpopJktParameter];
            if (parameter is null) return ValueTask.CompletedTask;
            if ((string?)parameter is not { Length: 43 } jkt || !jkt.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                context.Reject(Errors.InvalidRequest, "dpop_jkt is not a base64url SHA-256 JWK thumbprint");
            return ValueTask.CompletedTask;
        }
    }
}
