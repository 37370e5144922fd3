#!/usr/bin/env bash
# Start-up of `pkce token --profile NAME` with a valid stored token, side by side with an empty .NET console program
# (issue 12: within 1.5x of the empty program's wall time on the same machine).
#
#   bench/cli-startup.sh            # RUNS=60 by default; uses hyperfine when installed (Debian: apt-get install hyperfine),
#                                   # else (or with BENCH_LOOP=1) a loop timed with date +%s%N
#
# Both programs are measured as a user runs them: the tool packed and installed the way README says (dotnet pack, then
# dotnet tool install, here into a scratch --tool-path), and the empty program published framework-dependent with its
# apphost, as `dotnet new console` would be. The state directory holds one profile and a token valid for a day, written
# in the format `pkce login --profile` writes, so no server is needed: a fresh token is the case being measured.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building the empty console program and packing the tool (a minute or two)..." >&2
mkdir -p "$work/empty"
cat > "$work/empty/empty.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup>
</Project>
XML
echo 'return 0;' > "$work/empty/Program.cs"
dotnet publish "$work/empty" -c Release -o "$work/empty/out" >/dev/null
dotnet pack src/Pkce.Cli -o "$work/nupkg" >/dev/null
DOTNET_CLI_HOME="$work/home" dotnet tool install --tool-path "$work/tool" --add-source "$work/nupkg" Pkce.Cli >/dev/null

# One profile and a token that expires in a day: the files `pkce login --profile bench` would leave.
state="$work/state"
mkdir -p -m 700 "$state" "$state/profiles" "$state/tokens"
issuer="http://127.0.0.1:1/"
key="5:bench|${#issuer}:${issuer}|3:api"
file="$(printf '%s' "$key" | sha256sum | cut -c1-32).json"
expires=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%S.0000000Z)
umask 077
cat > "$state/profiles/bench.json" <<JSON
{"name":"bench","token_store":"file","token_file":"$file","login":{"issuer":"$issuer","client_id":"pkce-public","scope":"api"},
 "server":{"authorization_endpoint":"${issuer}connect/authorize","token_endpoint":"${issuer}connect/token","revocation_endpoint":null,
 "pushed_authorization_request_endpoint":null,"issuer":"$issuer","issuer_always_sent":true,"client_auth":"none"}}
JSON
cat > "$state/tokens/$file" <<JSON
{"version":1,"login_required":null,"tokens":{"access_token":"bench-access-token","token_type":"Bearer","expires_at":"$expires","refresh_token":"r","scope":"api"}}
JSON
export PKCE_STATE_DIR="$state"

empty="$work/empty/out/empty"
token="$work/tool/pkce token --profile bench"
[ "$($work/tool/pkce token --profile bench)" = "bench-access-token" ] || { echo "pkce token did not print the stored token" >&2; exit 1; }

# The machine may be shared: the programs are measured in alternating rounds (empty, token, help; then the reverse)
# so that a change of load falls on all of them alike, and medians are compared.
rounds=10
per=$(( (runs + rounds - 1) / rounds ))
times="$work/times.txt"
: > "$times"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then order=(empty token help); else order=(help token empty); fi
  for name in "${order[@]}"; do
    case $name in empty) cmd=("$empty") ;; token) cmd=($token) ;; help) cmd=("$work/tool/pkce" --help) ;; esac
    if [ "${BENCH_LOOP:-}" != 1 ] && command -v hyperfine >/dev/null 2>&1; then
      hyperfine -N --warmup 2 --runs "$per" --export-json "$work/round.json" --style none "${cmd[*]}" >/dev/null
      python3 -c 'import json, sys; [print(sys.argv[2], t * 1000) for t in json.load(open(sys.argv[1]))["results"][0]["times"]]' "$work/round.json" "$name" >> "$times"
    else
      for _ in 1 2; do "${cmd[@]}" >/dev/null; done
      for _ in $(seq "$per"); do
        t0=$(date +%s%N); "${cmd[@]}" >/dev/null; t1=$(date +%s%N)
        echo "$name $(( (t1 - t0) / 1000 )).0e-3" | awk '{ printf "%s %.3f\n", $1, $2 * 1 }' >> "$times"
      done
    fi
  done
done
awk -v tool="$([ "${BENCH_LOOP:-}" != 1 ] && command -v hyperfine >/dev/null 2>&1 && echo hyperfine || echo 'date +%s%N loop')" '
  { v[$1] = v[$1] " " $2 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    e = median(v["empty"]); t = median(v["token"]); h = median(v["help"])
    printf "median wall time (%s, %d runs each, alternating rounds): empty console program %.1f ms, pkce token %.1f ms (%.2fx; target 1.5x), pkce --help %.1f ms (%.2fx)\n", tool, split(v["empty"], x, " "), e, t, t / e, h, h / e
  }' "$times"
