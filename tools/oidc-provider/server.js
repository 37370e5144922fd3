// A second, independent authorization server for the integration tests: oidc-provider (Filip Skokan's certified
// OpenID Provider for Node.js) on http://127.0.0.1:PORT, issuer = that URL. Development settings throughout (keys
// made at start, cookie keys fixed below, dev login pages that accept any login and password): never use it outside
// tests.
//
//   node server.js [--port N] [--redirect-uris URI[,URI...]] [--dpop-nonce] [--exit-with-stdin]
//
// PORT, REDIRECT_URIS and DPOP_NONCE (=1) in the environment are read when the options are absent; port 0 (the
// default) takes any free port.
//
// DPoP (RFC 9449) is always on (oidc-provider 9 enables `features.dPoP` by default): a token request with a DPoP proof
// gets `token_type` DPoP and an access token bound to the key, which introspection shows as `cnf.jkt`; `dpop_jkt`
// (authorization request, PAR) and a DPoP header at the PAR endpoint bind the code; a public client's refresh token is
// bound to the key. --dpop-nonce makes every DPoP proof need a server nonce (RFC 9449 §8): the first proof without one
// is answered 400 `use_dpop_nonce` with a `DPoP-Nonce` header.
//
// GET /api/me (dpop_api.js) is a DPoP-protected resource for the API's tokens: it checks the proof and the token's
// binding, and with --dpop-nonce requires a nonce of its own (401 `use_dpop_nonce`). Once listening it prints exactly one line on stdout, `listening http://127.0.0.1:PORT`; oidc-provider's
// own notices may print other lines on stdout before or after it. SIGTERM or SIGINT closes the server and exits 0;
// with --exit-with-stdin so does the end of standard input, so a test host that dies without stopping the server
// (its end of the pipe closes) leaves no server behind.
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

import { API_PATH, dpopApi } from './dpop_api.js';

const HOST = '127.0.0.1';

/** The resource indicator (RFC 8707) of the one API whose tokens the tests obtain. */
const API = 'urn:pkce:api';

/** RFC 9449 §11.6 asks for asymmetric algorithms only. The client library offers ES256 by default, RS256 and PS256 too. */
const DPOP_ALGORITHMS = ['ES256', 'PS256', 'RS256', 'Ed25519', 'EdDSA'];

const { values: options } = parseArgs({
  options: {
    port: { type: 'string' },
    'redirect-uris': { type: 'string' },
    'dpop-nonce': { type: 'boolean', default: process.env.DPOP_NONCE === '1' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});

const port = Number(options.port ?? process.env.PORT ?? 0);
const redirectUris = (options['redirect-uris'] ?? process.env.REDIRECT_URIS ?? 'http://127.0.0.1:8000/callback')
  .split(',')
  .map((uri) => uri.trim())
  .filter(Boolean);

if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.js: invalid port ${options.port ?? process.env.PORT}`);
  process.exit(2);
}

for (const uri of redirectUris) {
  const url = URL.canParse(uri) ? new URL(uri) : undefined;
  if (!url || url.protocol !== 'http:' || url.hostname !== HOST) {
    console.error(`server.js: redirect URI ${uri} is not http://${HOST}:PORT/...; only loopback callbacks are registered`);
    process.exit(2);
  }
}

// The clients mirror the local authority's (src/Pkce.LocalAuthority) and add one that must use PAR. Secrets hold
// characters that RFC 6749 §2.3.1 makes a client form-encode in the Basic header.
const common = {
  redirect_uris: redirectUris,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};
const clients = [
  { ...common, client_id: 'pkce-public', token_endpoint_auth_method: 'none' },
  { ...common, client_id: 'pkce-basic', client_secret: 'basic secret: p@ss/w+rd&=', token_endpoint_auth_method: 'client_secret_basic' },
  { ...common, client_id: 'pkce-post', client_secret: 'post secret: p@ss/w+rd&=', token_endpoint_auth_method: 'client_secret_post' },
  {
    ...common,
    client_id: 'pkce-par',
    client_secret: 'par secret: p@ss/w+rd&=',
    token_endpoint_auth_method: 'client_secret_basic',
    require_pushed_authorization_requests: true,
  },
];

// Listen first: the issuer has to name the port, and port 0 is only known once bound.
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, HOST, resolve);
});
const issuer = `http://${HOST}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  responseTypes: ['code'],
  // RFC 7636 required for every client, S256 only (oidc-provider 9 offers no `plain`).
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: true },
    pushedAuthorizationRequests: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    // Nonces need a secret (32 bytes, fresh per start: nonces do not outlive the server) and requireNonce.
    dPoP: options['dpop-nonce']
      ? { enabled: true, nonceSecret: crypto.randomBytes(32), requireNonce: () => true }
      : { enabled: true },
    // Plain OAuth 2.0 scopes need a resource server: without `openid`, oidc-provider grants only scopes that a
    // resource server declares, and refuses a request that would be granted nothing (access_denied). Every
    // authorization request without a `resource` parameter is for this one API, whose only scope is `api`; its
    // access tokens are opaque and can be introspected.
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf ?? API,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resourceIndicator) => {
        if (resourceIndicator !== API) throw new errors.InvalidTarget();
        return { scope: 'api', audience: API, accessTokenFormat: 'opaque' };
      },
    },
  },
  // oidc-provider's default is ES256, Ed25519 and EdDSA.
  enabledJWA: { dPoPSigningAlgValues: DPOP_ALGORITHMS },
  // A refresh token for every client allowed the grant, the public one included, without `offline_access`.
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Every refresh rotates: the old token is consumed, and presenting it again revokes the whole grant.
  rotateRefreshToken: true,
  // Signs the login session and interaction cookies (oidc-provider leaves them unsigned without keys). Development only.
  cookies: { keys: ['pkce-oidc-provider-development-cookie-key'] },
  // Seconds. Set outright, which also silences the notices that the defaults print.
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
  },
});

const api = dpopApi({ provider, issuer, audience: API, algorithms: DPOP_ALGORITHMS, requireNonce: options['dpop-nonce'] });
const callback = provider.callback();
server.on('request', (req, res) => {
  if (new URL(req.url, issuer).pathname !== API_PATH) {
    callback(req, res);
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET' });
    res.end();
    return;
  }
  api(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});

let closing = false;
function close() {
  if (closing) return;
  closing = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // A request stuck in a handler must not keep the process alive.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', close);
process.on('SIGINT', close);
if (options['exit-with-stdin']) {
  process.stdin.on('end', close);
  process.stdin.resume();
}

console.log(`listening ${issuer}`);
