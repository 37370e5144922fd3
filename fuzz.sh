#!/usr/bin/env bash
# Fuzzes one parser that reads outside input with afl-fuzz (Debian's afl++) and SharpFuzz (docs/fuzzing.md).
#   ./fuzz.sh list              the targets
#   ./fuzz.sh TARGET SECONDS    builds tests/Pkce.Fuzz (Release) into .fuzz/TARGET/bin, instruments Pkce.Core.dll there
#                               (and the command's pkce.dll for the cli-* targets), seeds afl-fuzz from
#                               tests/Pkce.Fuzz/corpus/TARGET, gives it the target's dictionary from
#                               tests/Pkce.Fuzz/dictionaries, runs it for SECONDS, prints executions per second and the
#                               crashes and hangs found, and copies each crash input to tests/Pkce.Fuzz/crashes/TARGET
#                               (check them in: the replay test runs them). Exits 1 when it found a crash.
# afl-fuzz binds no core (other work shares the machine); run it under `nice` to leave the rest the first claim.
set -euo pipefail
cd "$(dirname "$0")"
fuzz=tests/Pkce.Fuzz

usage() { echo "usage: ./fuzz.sh list | ./fuzz.sh TARGET SECONDS" >&2; exit 2; }
[ $# -ge 1 ] || usage
if [ "$1" = list ]; then
  ls "$fuzz/corpus"
  exit 0
fi
[ $# -eq 2 ] || usage
target=$1 seconds=$2
[ -d "$fuzz/corpus/$target" ] || { echo "fuzz.sh: no target '$target'; ./fuzz.sh list names them" >&2; exit 2; }
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || usage

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "fuzz.sh: installing afl++ with apt-get" >&2
    # apt needs the real /dev/null (its signature check fails when something replaced it with a file).
    if [ ! -c /dev/null ]; then rm -f /dev/null && mknod -m 666 /dev/null c 1 3; fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++) >&2
  else
    echo "fuzz.sh: afl-fuzz is missing and cannot be installed here (needs root and apt-get: apt-get install afl++)" >&2
    exit 1
  fi
fi

out=.fuzz/$target
rm -rf "$out"
mkdir -p "$out"
dotnet tool restore >/dev/null
# A fresh folder each time: every build is instrumented anew, and never twice. Two targets may run at once (one per
# core); their builds share obj/, so they take turns.
(
  flock 9
  dotnet publish "$fuzz/Pkce.Fuzz.csproj" -c Release -o "$out/bin" --nologo -v quiet
  dotnet sharpfuzz "$out/bin/Pkce.Core.dll"
  case $target in cli-*) dotnet sharpfuzz "$out/bin/pkce.dll" ;; esac
) 9> .fuzz/build.lock

export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
# A core_pattern that pipes cores to a handler (as containers have) delays crash reports; it cannot be changed here.
if [ "$(head -c 1 /proc/sys/kernel/core_pattern 2>/dev/null)" = "|" ]; then export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1; fi
# Tokens of the input's grammar (JSON, URLs, HTTP, DER) let the mutations reach past the parsers' first checks.
case $target in
  token|metadata|par|pending-codec|token-codec|cli-token-file) dictionary=$fuzz/dictionaries/json.dict ;;
  *) dictionary=$fuzz/dictionaries/$target.dict ;;
esac
status=0
afl-fuzz -i "$fuzz/corpus/$target" -o "$out/findings" -x "$dictionary" -t 10000 -m none -V "$seconds" -- dotnet "$out/bin/Pkce.Fuzz.dll" "$target" \
  > "$out/afl.log" 2>&1 || status=$?

stats=$out/findings/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "fuzz.sh: afl-fuzz did not start (exit $status); its output:" >&2
  tail -n 40 "$out/afl.log" >&2
  exit 1
fi
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
executions=$(stat execs_done) run_time=$(stat run_time)
crashes=$(stat saved_crashes) hangs=$(stat saved_hangs)
mkdir -p "$fuzz/crashes/$target"
for input in "$out"/findings/default/crashes/id:*; do
  [ -f "$input" ] || continue
  install -m 644 "$input" "$fuzz/crashes/$target/crash-$(sha1sum "$input" | cut -c1-12)"
done
rmdir "$fuzz/crashes/$target" 2>/dev/null || true
echo "$target: $executions executions in ${run_time} s ($(( executions / (run_time > 0 ? run_time : 1) )) per second; afl-fuzz's last figure $(stat execs_per_sec)), $crashes crashes, $hangs hangs"
[ "$crashes" = 0 ] || echo "crash inputs copied to $fuzz/crashes/$target/; replay one with: dotnet $out/bin/Pkce.Fuzz.dll $target < FILE"
[ "$hangs" = 0 ] || echo "hang inputs are in $out/findings/default/hangs/"
[ "$crashes" = 0 ]
