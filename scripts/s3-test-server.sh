#!/usr/bin/env bash
# Starts the S3-compatible test server (tests/s3-server/start.mjs, s3rver from the npm registry) in
# the foreground; it prints its port on the first line of stdout. Installs its node_modules first
# (npm ci) when they are missing or older than package-lock.json, so a fresh clone's `make test`
# needs nothing more than scripts/install-deps.sh (Node.js, npm). The S3 blob store's tests run this.
#   scripts/s3-test-server.sh [bucket]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$root/tests/s3-server

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
  { echo "s3-test-server: node and npm are missing: run scripts/install-deps.sh" >&2; exit 1; }

# ctest runs the tests in parallel, and each starts its own server: one npm ci at a time (a lock
# on the folder itself, so no lock file to ignore), the others wait and then find it done.
exec 9<"$dir"
flock 9
if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  echo "s3-test-server: npm ci in tests/s3-server" >&2
  # npm's own output goes to stderr: stdout carries only the port.
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
    { echo "s3-test-server: npm ci failed in $dir (is the npm registry reachable?)" >&2; exit 1; }
fi
flock -u 9
exec 9<&-

exec node "$dir/start.mjs" "$@"
