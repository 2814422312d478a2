#!/usr/bin/env bash
# Runs the end-to-end suite: playwright-core drives Debian's chromium against the real server.
#   web/e2e/run.sh                          every test file in web/e2e/tests/
#   web/e2e/run.sh tests/history.test.mjs   some of them
#   web/e2e/run.sh --update-screenshots     also rewrites docs/screenshots/*.png
# Needs build/carechat (make build; CARECHAT_BIN=... for another build) and web/dist (make web).
# Failure screenshots and logs go to build-e2e/ (CARECHAT_E2E_ARTIFACTS=... elsewhere).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

files=()
for a in "$@"; do
  case "$a" in
    --update-screenshots) export CARECHAT_E2E_UPDATE_SCREENSHOTS=1 ;;
    *) files+=("$a") ;;
  esac
done

bin=${CARECHAT_BIN:-$root/build/carechat}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
export CARECHAT_BIN=$bin
[ -x "$bin" ] || { echo "e2e: $bin is missing: run make build" >&2; exit 1; }
[ -f "$root/web/dist/index.html" ] || { echo "e2e: web/dist is missing: run make web" >&2; exit 1; }
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || { echo "e2e: playwright-core needs Node.js 20 or newer (found ${node_major})" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "e2e: /usr/bin/chromium is missing: run scripts/install-deps.sh" >&2; exit 1; }

cd "$here"
# npm ci when node_modules is missing or older than the lock file. Browsers are never downloaded:
# the tests use Debian's chromium.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

if [ ${#files[@]} -eq 0 ]; then
  files=(tests/*.test.mjs)
fi
# One file at a time: each starts its own server and browser, and the machine has two cores.
exec node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
