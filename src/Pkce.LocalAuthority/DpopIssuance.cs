using System.Text.Json.Nodes;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Pkce.LocalAuthority;

/// <summary>The DPoP handlers of what the server issues and says: bound tokens, <c>token_type</c>, introspection, discovery, and the refresh token binding check.</summary>
internal static partial class DpopServer
{
    /// <summary>
    /// Binds what the sign-in issues: the authorization code to <c>dpop_jkt</c>; at the token endpoint, the access
    /// token to the proof's key (<c>cnf.jkt</c>, §6.1) and, for a public client, the refresh token too (§5: "the
    /// refresh token MUST be bound to the respective public key"). A confidential client's refresh token stays
    /// unbound: "they are already sender-constrained" by client authentication (§5).
    /// </summary>
    private sealed class IssuedTokenBinding(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ProcessSignInContext>
    {
        // After every Prepare*Principal handler (OpenIddict drops cnf when it copies a principal), before any token is made.
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseScopedHandler<IssuedTokenBinding>()
            .SetOrder(OpenIddictServerHandlers.GenerateAccessToken.Descriptor.Order - 500)
            .Build();

        public async ValueTask HandleAsync(ProcessSignInContext context)
        {
            context.RefreshTokenPrincipal?.RemoveClaims(CodeBindingClaim);
            if (context.EndpointType == OpenIddictServerEndpointType.Authorization && (string?)context.Request?[DpopJktParameter] is { } jkt)
                context.AuthorizationCodePrincipal?.SetClaim(CodeBindingClaim, jkt);
            if (context.EndpointType != OpenIddictServerEndpointType.Token || context.Transaction.GetProperty<string>(ThumbprintProperty) is not { } thumbprint)
                return;
            context.AccessTokenPrincipal?.SetClaim(Claims.Confirmation, new JsonObject { ["jkt"] = thumbprint });
            if (context.RefreshTokenPrincipal is { } refresh && context.ClientId is { } clientId
                && await applications.FindByClientIdAsync(clientId) is { } application
                && await applications.HasClientTypeAsync(application, ClientTypes.Public))
                refresh.SetClaim(Claims.Confirmation, new JsonObject { ["jkt"] = thumbprint });
        }
    }

    /// <summary>RFC 9449 §5: "A token_type of DPoP MUST be included in the access token response".</summary>
    private sealed class DpopTokenType : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
            .UseSingletonHandler<DpopTokenType>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 500)
            .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.Response.AccessToken is not null && context.AccessTokenPrincipal is { } principal && Confirmation(principal) is not null)
                context.Response.TokenType = "DPoP";
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>RFC 9449 §6.2: "If the token_type member is included in the introspection response, it MUST contain the value DPoP."</summary>
    private sealed class IntrospectedTokenType : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleIntrospectionRequestContext>()
            .UseSingletonHandler<IntrospectedTokenType>()
            .SetOrder(OpenIddictServerHandlers.Introspection.AttachMetadataClaims.Descriptor.Order + 500)
            .Build();

        public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
        {
            if (context.Confirmation?["jkt"] is not null) context.TokenType = "DPoP";
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>RFC 9449 §5.1: <c>dpop_signing_alg_values_supported</c> in the discovery document.</summary>
    private sealed class Metadata : IOpenIddictServerHandler<HandleConfigurationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<Metadata>()
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachAdditionalMetadata.Descriptor.Order + 500)
            .Build();

        public ValueTask HandleAsync(HandleConfigurationRequestContext context)
        {
            context.Metadata["dpop_signing_alg_values_supported"] = new JsonArray([.. DpopProofValidator.Algorithms.Select(a => JsonValue.Create(a))]);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// In place of OpenIddict's proof-of-possession check of tokens: a <c>cnf.jkt</c> refresh token is accepted at the
    /// token endpoint only with a proof of the same key (§5: "The binding MUST be validated when the refresh token is
    /// later presented"); a <c>cnf.jkt</c> token anywhere else has no proof to match and is refused. Other
    /// confirmations go to OpenIddict's own handler.
    /// </summary>
    private sealed class RefreshTokenBinding : IOpenIddictServerHandler<ValidateTokenContext>
    {
        private static readonly OpenIddictServerHandlers.Protection.ValidateProofOfPossession Builtin = new();

        public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .AddFilter<OpenIddictServerHandlerFilters.RequireTokenProofOfPossessionValidationEnabled>()
            .UseSingletonHandler<RefreshTokenBinding>()
            .SetOrder(OpenIddictServerHandlers.Protection.ValidateProofOfPossession.Descriptor.Order)
            .Build();

        public ValueTask HandleAsync(ValidateTokenContext context)
        {
            if (context.Principal is not { } principal || Confirmation(principal) is not { } bound) return Builtin.HandleAsync(context);
            if (context.EndpointType != OpenIddictServerEndpointType.Token)
                context.Reject(Errors.InvalidToken, "the token is bound to a DPoP key and no proof of it can be checked here");
            else if (!string.Equals(context.Transaction.GetProperty<string>(ThumbprintProperty), bound, StringComparison.Ordinal))
                context.Reject(Errors.InvalidGrant, "the refresh token is bound to another DPoP key, or the request has no DPoP proof");
            return ValueTask.CompletedTask;
        }
    }
}
