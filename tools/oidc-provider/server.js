// A second, independent authorization server for the integration tests: oidc-provider (Filip Skokan's certified
// OpenID Provider for Node.js) on http://127.0.0.1:PORT, issuer = that URL. Development settings throughout (keys
// made at start, cookie keys fixed below, dev login pages that accept any login and password): never use it outside
// tests.
//
//   node server.js [--port N] [--redirect-uris URI[,URI...]] [--exit-with-stdin]
//
// PORT and REDIRECT_URIS in the environment are read when the options are absent; port 0 (the default) takes any
// free port. Once listening it prints exactly one line on stdout, `listening http://127.0.0.1:PORT`; oidc-provider's
// own notices may print other lines on stdout before or after it. SIGTERM or SIGINT closes the server and exits 0;
// with --exit-with-stdin so does the end of standard input, so a test host that dies without stopping the server
// (its end of the pipe closes) leaves no server behind.
import * as http from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';

/** The resource indicator (RFC 8707) of the one API whose tokens the tests obtain. */
const API = 'urn:pkce:api';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string' },
    'redirect-uris': { type: 'string' },
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

server.on('request', provider.callback());

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
