#!/usr/bin/env bash
# Runs every test. Installs what the tests need first: Debian packages (redis-server for the Redis stores' tests, which
# start their own server on a free 127.0.0.1 port and stop it afterwards; dbus, gnome-keyring and libsecret-tools for
# the `pkce` command's Secret Service test, which starts its own session bus and keyring) and the npm package
# oidc-provider (tools/oidc-provider, versions fixed by its lockfile) for the tests against a second authorization
# server, which start `node tools/oidc-provider/server.js` the same way.
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]} with apt-get" >&2
    # apt needs the real /dev/null (its signature check fails when something replaced it with a file).
    if [ ! -c /dev/null ]; then rm -f /dev/null && mknod -m 666 /dev/null c 1 3; fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}") >&2 \
      || echo "test.sh: could not install ${missing[*]}; the tests that need them will fail and say how to install them" >&2
  else
    echo "test.sh: ${missing[*]} missing and cannot be installed here (needs root and apt-get); the tests that need them will fail" >&2
  fi
fi

if [ ! -f tools/oidc-provider/node_modules/oidc-provider/package.json ] || [ ! -f tools/oidc-provider/node_modules/jose/package.json ]; then
  if command -v npm >/dev/null 2>&1; then
    echo "test.sh: installing oidc-provider with npm ci in tools/oidc-provider" >&2
    (cd tools/oidc-provider && npm ci --no-audit --no-fund --loglevel=error >/dev/null) >&2 \
      || echo "test.sh: npm ci failed in tools/oidc-provider; the oidc-provider tests will fail" >&2
  else
    echo "test.sh: npm is missing; the oidc-provider tests will fail (they need Node.js 20 or later and npm)" >&2
  fi
fi

exec dotnet test Pkce.sln "$@"
