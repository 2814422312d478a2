#!/usr/bin/env bash
# Installs the Debian 12 packages carechat needs to build, run and test (PostgreSQL 15 and haproxy
# included: the tests start throwaway servers of their own, scripts/pg-test-cluster.sh); with --bench, also the
# load tools and baselines of `make bench` (kept apart so tests never depend on installing a web server).
# clamav-daemon brings clamd for the attachment scanner; no daemon is started here (the tests start
# their own with a test signature, and an operator configures theirs).
# Idempotent and quiet when everything is present: `make run` and `make test` call it every time.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libssl-dev
  libpq-dev postgresql-15 python3 haproxy
  python3-botocore  # the S3 store's tests check our SigV4 signatures against botocore's (tests/s3-server)
  libmagic-dev clamav-daemon
  libvips-dev  # attachment thumbnails (media/thumbnailer); brings the JPEG, PNG, WebP, GIF and HEIC loaders
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  curl ca-certificates openssl
  prometheus  # promtool: the metrics test checks /metrics with Prometheus' own parser (tests/integration/metrics_test)
  dpkg-dev adduser  # make package (dpkg-deb, dpkg-shlibdeps) and its test (the package's postinst runs adduser)
  chromium fonts-dejavu-core fonts-liberation
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk nginx-light python3)
fi

# The browser app's tooling (web/: TypeScript, esbuild) needs Node.js 18 or newer and npm; Debian 12's
# nodejs is 18. An existing newer Node (e.g. from nodesource or nvm) is kept.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ] || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
