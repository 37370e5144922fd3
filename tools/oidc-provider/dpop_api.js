// A DPoP-protected resource beside oidc-provider, for the integration tests: GET /api/me with `Authorization: DPoP`
// an access token this provider issued for the API (opaque, looked up in the provider's own store) and a `DPoP` proof
// for the request. It checks what RFC 9449 §4.3 and §7 make a resource server check: one proof; a JWS with typ
// dpop+jwt, an asymmetric alg and a public `jwk` whose key verifies it (jose's EmbeddedJWK); htm; htu without query
// and fragment; iat within IAT_WINDOW seconds; jti not seen before at this URI; ath = the access token's hash; the
// token's cnf.jkt = the RFC 7638 thumbprint of the proof's key; with `requireNonce`, a nonce of its own (§9), different
// from the token endpoint's. Refusals are 401 with `WWW-Authenticate: DPoP error=..., algs=...` (§7.1). oidc-provider
// checks proofs like this at its userinfo endpoint, but only for tokens meant for userinfo, not for a resource
// server's, so this API does it for `urn:pkce:api` tokens. Test code: never use it outside tests.
import * as crypto from 'node:crypto';

import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';

export const API_PATH = '/api/me';

const IAT_WINDOW = 60;

export function dpopApi({ provider, issuer, audience, algorithms, requireNonce }) {
  const nonce = crypto.randomBytes(16).toString('base64url');
  const seen = new Map(); // `${htu} ${jti}` -> expiry (epoch seconds)

  function answer(res, status, headers, body) {
    res.writeHead(status, { 'cache-control': 'no-store', ...(requireNonce ? { 'dpop-nonce': nonce } : {}), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  function refuse(res, error, description, status = 401) {
    const parameters = [];
    if (error) parameters.push(`error="${error}"`);
    if (description) parameters.push(`error_description="${description.replace(/[\\"]/g, '\\$&')}"`);
    parameters.push(`algs="${algorithms.join(' ')}"`);
    answer(res, status, { 'www-authenticate': `DPoP ${parameters.join(', ')}` });
  }

  function remember(key, now) {
    for (const [old, until] of seen) if (until < now) seen.delete(old);
    if (seen.has(key)) return false;
    seen.set(key, now + 2 * IAT_WINDOW);
    return true;
  }

  return async function handle(req, res) {
    const url = new URL(req.url, issuer);
    const authorization = req.headersDistinct.authorization ?? [];
    if (authorization.length === 0) return refuse(res);
    if (authorization.length > 1) return refuse(res, 'invalid_request', 'more than one Authorization header', 400);
    const [scheme = '', token = '', ...rest] = authorization[0].split(' ');
    if (scheme.toLowerCase() === 'bearer') return refuse(res, 'invalid_token', 'this API takes DPoP-bound tokens with the DPoP scheme');
    if (scheme.toLowerCase() !== 'dpop') return refuse(res);
    if (!token || rest.length) return refuse(res, 'invalid_token', 'the DPoP credentials are not one token');

    const proofs = req.headersDistinct.dpop ?? [];
    if (proofs.length !== 1) return refuse(res, 'invalid_dpop_proof', 'the request needs exactly one DPoP header');
    let payload;
    let protectedHeader;
    try {
      ({ payload, protectedHeader } = await jwtVerify(proofs[0], EmbeddedJWK, { typ: 'dpop+jwt', algorithms }));
    } catch {
      return refuse(res, 'invalid_dpop_proof', 'the DPoP proof is not a valid dpop+jwt signed by its jwk');
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > 256) return refuse(res, 'invalid_dpop_proof', 'bad jti');
    if (payload.htm !== req.method) return refuse(res, 'invalid_dpop_proof', 'htm mismatch');
    const htu = typeof payload.htu === 'string' ? URL.parse(payload.htu) : null;
    if (htu) { htu.search = ''; htu.hash = ''; }
    const target = `${issuer}${url.pathname}`;
    if (htu?.href !== target) return refuse(res, 'invalid_dpop_proof', 'htu mismatch');
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > IAT_WINDOW) return refuse(res, 'invalid_dpop_proof', 'iat is not recent');
    if (payload.ath !== crypto.hash('sha256', token, 'base64url')) return refuse(res, 'invalid_dpop_proof', 'ath mismatch');
    if (requireNonce && payload.nonce !== nonce) {
      return refuse(res, 'use_dpop_nonce', payload.nonce === undefined ? 'the API requires a nonce in the DPoP proof' : 'stale nonce');
    }
    if (!remember(`${target} ${payload.jti}`, now)) return refuse(res, 'invalid_dpop_proof', 'jti replayed');

    const accessToken = await provider.AccessToken.find(token);
    const audiences = [accessToken?.aud].flat();
    if (!accessToken || accessToken.isExpired || !audiences.includes(audience)) return refuse(res, 'invalid_token', 'the access token is not valid here');
    if (!accessToken.jkt) return refuse(res, 'invalid_token', 'the access token is not DPoP-bound');
    if (accessToken.jkt !== await calculateJwkThumbprint(protectedHeader.jwk)) return refuse(res, 'invalid_token', 'Invalid DPoP key binding');

    return answer(res, 200, { 'content-type': 'application/json' }, {
      sub: accessToken.accountId, client_id: accessToken.clientId, scope: accessToken.scope, jkt: accessToken.jkt,
    });
  };
}
