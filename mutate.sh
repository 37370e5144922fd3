#!/usr/bin/env bash
# Mutation testing with Stryker.NET (the local tool in .config/dotnet-tools.json), one project at a time, each with
# the stryker-config.json beside it: src/Pkce.Core against tests/Pkce.Properties (fast, no sockets), the stores
# against their contract tests in tests/Pkce.Integration/Stores (the Redis ones start their own redis-server).
#   ./mutate.sh                 Pkce.Core, then both stores
#   ./mutate.sh core            one project: core, sqlite or redis
#   ./mutate.sh core --mutate 'Tokens/**/*.cs'   extra arguments go to Stryker (scope a run while iterating)
# Reports (HTML, JSON, Markdown) land in StrykerOutput/<project>/reports. docs/mutation.md has the scores.
set -euo pipefail
cd "$(dirname "$0")"
dotnet tool restore >/dev/null

declare -A projects=([core]=src/Pkce.Core [sqlite]=src/Pkce.Stores.Sqlite [redis]=src/Pkce.Stores.Redis)
targets=(core sqlite redis)
if [ $# -gt 0 ] && [ -n "${projects[$1]:-}" ]; then targets=("$1"); shift; fi

for target in "${targets[@]}"; do
  dir=${projects[$target]}
  echo "mutate.sh: $dir" >&2
  (cd "$dir" && dotnet stryker --config-file stryker-config.json --output "$PWD/../../StrykerOutput/$target" "$@")
done
