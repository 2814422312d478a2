#!/usr/bin/env bash
# The package test (make package-test, run by make test after the other suites): installs the .deb
# on this machine with dpkg -i, checks its files, user, modes and unit, starts the packaged server
# with the packaged config as the packaged user on a free port, calls /healthz, stops it, purges
# the package and checks that nothing is left. Needs root; skips (exit 0, saying so) otherwise, and
# when a carechat package, user or directory is already here (it never touches what it did not make).
# Cleans up on any failure (trap). Takes a few seconds.
#   scripts/test-package.sh build/carechat.deb
set -euo pipefail

deb=${1:?usage: test-package.sh FILE.deb}
say() { echo "test-package: $*"; }
fail() { say "FAILED: $*" >&2; exit 1; }

if [ "$(id -u)" != 0 ]; then
  say "SKIPPED: installing a package needs root (run: sudo $0 $deb)"
  exit 0
fi
[ -f "$deb" ] || fail "no package at $deb (make package)"
if dpkg-query -W -f='${db:Status-Status}' carechat 2>/dev/null | grep -qv '^not-installed$'; then
  say "SKIPPED: a carechat package is already installed here; this test installs and purges its own"
  exit 0
fi
if getent passwd carechat >/dev/null || getent group carechat >/dev/null || [ -e /etc/carechat ] || [ -e /var/lib/carechat ]; then
  say "SKIPPED: a carechat user, group, /etc/carechat or /var/lib/carechat exists already; not touching it"
  exit 0
fi

# What the package may touch, listed before and compared after the purge.
snapshot() {
  { find /etc /var/lib/systemd /lib/systemd/system /usr/lib/systemd/system /usr/bin /usr/share/carechat \
         /usr/share/doc/carechat /var/lib/carechat -xdev 2>/dev/null || true; } | sort
}
tmp=$(mktemp -d)
snapshot > "$tmp/before"
server_pid=
installed=
cleanup() {
  local rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  if [ -n "$installed" ] && dpkg-query -W carechat >/dev/null 2>&1; then
    dpkg --purge carechat >/dev/null 2>&1 || say "cleanup: dpkg --purge carechat failed" >&2
  fi
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT INT TERM

installed=1
dpkg -i "$deb" > "$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg -i $deb"; }
say "installed $(dpkg-query -W -f='${Package} ${Version}' carechat)"

# Files, modes, owners.
[ -x /usr/bin/carechat ] || fail "/usr/bin/carechat missing"
version=$(dpkg-query -W -f='${Version}' carechat)
/usr/bin/carechat --version | grep -q "^carechat $version\b" || fail "carechat --version does not print $version"
[ -f /usr/share/carechat/web/index.html ] || fail "the web app is not in /usr/share/carechat/web"
[ "$(stat -c '%a %U %G' /etc/carechat/carechat.conf)" = "640 root carechat" ] ||
  fail "/etc/carechat/carechat.conf is $(stat -c '%a %U %G' /etc/carechat/carechat.conf), not 640 root carechat"
dpkg-query -W -f='${Conffiles}\n' carechat | grep -q '^ /etc/carechat/carechat.conf ' || fail "the config file is not a conffile"
[ "$(stat -c '%a %U %G' /var/lib/carechat)" = "750 carechat carechat" ] ||
  fail "/var/lib/carechat is $(stat -c '%a %U %G' /var/lib/carechat), not 750 carechat carechat"
unit=/lib/systemd/system/carechat.service
[ "$(stat -c '%a %U' $unit)" = "644 root" ] || fail "$unit missing or not 644 root"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd carechat) || fail "no carechat user"
[ "$uid" -lt 1000 ] || fail "carechat is not a system user (uid $uid)"
[ "$home" = /var/lib/carechat ] && [ "$shell" = /usr/sbin/nologin ] || fail "carechat's home/shell: $home $shell"
getent group carechat >/dev/null || fail "no carechat group"
for directive in User=carechat DynamicUser=no StateDirectory=carechat ProtectSystem=strict ProtectHome=yes \
                 PrivateTmp=yes NoNewPrivileges=yes 'CapabilityBoundingSet=$' 'SystemCallFilter=@system-service' \
                 'ReadWritePaths=/var/lib/carechat' 'RestrictAddressFamilies=' \
                 'ExecStart=/usr/bin/carechat serve --config /etc/carechat/carechat.conf$'; do
  grep -q "^$directive" $unit || fail "$unit lacks $directive"
done
if command -v systemd-analyze >/dev/null; then
  # No running systemd here: verify checks the unit file itself (directives, paths, the binary).
  if ! systemd-analyze verify "$unit" > "$tmp/verify.log" 2>&1; then
    cat "$tmp/verify.log" >&2
    fail "systemd-analyze verify $unit"
  fi
  grep -i "carechat.service" "$tmp/verify.log" >&2 && fail "systemd-analyze verify warns about $unit"
  say "systemd-analyze verify: ok"
else
  say "systemd-analyze not found: unit not verified"
fi

# The packaged server, as the packaged user, with the packaged config; port 0 (a free one) given by
# the flag, which overrides the file's listen. A clean environment: no CARECHAT_* from the caller.
cd /
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  runuser -u carechat -- /usr/bin/carechat config show --config /etc/carechat/carechat.conf > "$tmp/show" 2>&1 ||
  { cat "$tmp/show" >&2; fail "carechat config show as carechat"; }
grep -q '^db = /var/lib/carechat/carechat.db  *# file /etc/carechat/carechat.conf:' "$tmp/show" ||
  { cat "$tmp/show" >&2; fail "config show does not take db from the packaged file"; }
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  runuser -u carechat -- /usr/bin/carechat serve --config /etc/carechat/carechat.conf --listen 127.0.0.1:0 \
  > "$tmp/out" 2> "$tmp/err" &
server_pid=$!
port=
for _ in $(seq 100); do
  port=$(sed -n 's|^carechat listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$tmp/out")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/err" >&2; fail "carechat serve exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/err" >&2; fail "carechat serve did not start within 10 s"; }
# runuser forks the server and waits for it: signal the server itself, and runuser returns its status.
carechat_pid=$(pgrep -P "$server_pid" -x carechat) || fail "no carechat process under runuser"
[ "$(ps -o user= -p "$carechat_pid")" = carechat ] || fail "the server does not run as carechat"
say "serving as carechat on port $port"
curl -fsS --max-time 5 "http://127.0.0.1:$port/healthz" > "$tmp/healthz" || fail "GET /healthz"
say "/healthz: $(cat "$tmp/healthz")"
curl -fsS --max-time 5 -o /dev/null "http://127.0.0.1:$port/assets/app.js" || fail "the packaged web app is not served"
[ "$(stat -c %U /var/lib/carechat/carechat.db)" = carechat ] || fail "the database is not carechat's"
grep -q "config file /etc/carechat/carechat.conf" "$tmp/err" || { cat "$tmp/err" >&2; fail "serve did not log its config file"; }
kill -TERM "$carechat_pid"
rc=0
wait "$server_pid" || rc=$?
server_pid=
[ "$rc" = 0 ] || { cat "$tmp/err" >&2; fail "carechat serve exited $rc on SIGTERM"; }

# Purge: nothing of the package may be left.
dpkg --purge carechat > "$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log" >&2; fail "dpkg --purge carechat"; }
installed=
if getent passwd carechat >/dev/null || getent group carechat >/dev/null; then fail "the carechat user or group is left"; fi
snapshot > "$tmp/after"
if ! diff "$tmp/before" "$tmp/after" > "$tmp/diff"; then cat "$tmp/diff" >&2; fail "files left after dpkg --purge"; fi
say "ok: installed, served /healthz as carechat, purged without a trace"
