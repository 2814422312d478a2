#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ (built by `make fuzz` into BUILD/fuzz/) for SECONDS each, up to
# JOBS at a time, over a temporary copy of its seed corpus (fuzz/corpus/<name>/) so the repository
# is never modified. Fails if any target crashes, leaks, hangs or breaks a property; the input that
# did it is kept as BUILD/fuzz-artifacts/<name>/crash-* (reproduce: BUILD/fuzz/<name>_fuzz <file>)
# and the log as BUILD/fuzz-logs/<name>.log.
# Usage: scripts/run-fuzz.sh BUILD SECONDS [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: run-fuzz.sh BUILD SECONDS [JOBS]}
seconds=${2:?usage: run-fuzz.sh BUILD SECONDS [JOBS]}
jobs=${3:-2}

work=$(mktemp -d "${TMPDIR:-/tmp}/carechat-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
rm -rf "$build/fuzz-artifacts" "$build/fuzz-logs"
mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"

names=()
for src in fuzz/*_fuzz.cpp; do
  name=$(basename "$src" _fuzz.cpp)
  [ -x "$build/fuzz/${name}_fuzz" ] || { echo "run-fuzz: $build/fuzz/${name}_fuzz is missing; build first" >&2; exit 1; }
  names+=("$name")
done

run_one() {
  local name=$1 corpus="$work/$1" args=()
  mkdir -p "$corpus" "$build/fuzz-artifacts/$name"
  [ -d "fuzz/corpus/$name" ] && cp -R "fuzz/corpus/$name/." "$corpus/"
  [ -f "fuzz/dict/$name.dict" ] && args+=("-dict=fuzz/dict/$name.dict")
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: so is a runaway allocation.
  if ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
     "$build/fuzz/${name}_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz-artifacts/$name/" "${args[@]}" "$corpus" >"$build/fuzz-logs/$name.log" 2>&1; then
    echo "ok" >"$work/$name.status"
  else
    echo "failed" >"$work/$name.status"
  fi
}
export -f run_one
export build seconds work

echo "run-fuzz: ${#names[@]} targets, ${seconds}s each, $jobs at a time"
printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}

failed=0
for name in "${names[@]}"; do
  log="$build/fuzz-logs/$name.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  if [ "$(cat "$work/$name.status" 2>/dev/null)" = ok ]; then
    printf 'run-fuzz: %-16s ok      %10s runs  %s\n' "$name" "${runs:-?}" "$cov"
  else
    failed=1
    printf 'run-fuzz: %-16s FAILED  (log %s)\n' "$name" "$log"
    grep -E 'ERROR:|SUMMARY:|property failed|runtime error|deadly signal|Test unit written' "$log" | head -n 20 | sed 's/^/    /'
  fi
done
exit $failed
