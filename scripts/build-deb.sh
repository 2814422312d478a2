#!/usr/bin/env bash
# make package: the Debian package carechat_VERSION_ARCH.deb from the normal build, with dpkg-deb.
#   scripts/build-deb.sh BINARY WEB_DIST OUT_DIR
# BINARY is build/carechat (stripped into the package), WEB_DIST the built app (web/dist). The
# version is the binary's (`carechat --version`: CMake's project VERSION, the one place it is set);
# Depends is computed by dpkg-shlibdeps from the libraries the binary links. OUT_DIR/carechat.deb
# links to the result. Why dpkg-deb and not CPack: the package is a handful of files and three
# maintainer scripts, all in packaging/ where an operator reads them, and it needs no install()
# rules in CMakeLists.txt that nothing else would use; dpkg-shlibdeps is what CPack would call too.
set -euo pipefail

bin=${1:?usage: build-deb.sh BINARY WEB_DIST OUT_DIR}
web=${2:?usage: build-deb.sh BINARY WEB_DIST OUT_DIR}
out=${3:?usage: build-deb.sh BINARY WEB_DIST OUT_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
packaging=$src/packaging

[ -x "$bin" ] || { echo "build-deb: no server binary at $bin (make server)" >&2; exit 1; }
[ -f "$web/index.html" ] || { echo "build-deb: no built web app in $web (make web)" >&2; exit 1; }

version=$("$bin" --version | awk 'NR == 1 { print $2 }')
[[ $version =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "build-deb: bad version '$version' from $bin --version" >&2; exit 1; }
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/carechat" "$root/etc/carechat" \
  "$root/lib/systemd/system" "$root/usr/share/doc/carechat"

# The binary without its debug information (the build keeps it, for gdb on a core file).
strip --strip-unneeded -o "$root/usr/bin/carechat" "$bin"
chmod 0755 "$root/usr/bin/carechat"
cp -r "$web" "$root/usr/share/carechat/web"
find "$root/usr/share/carechat/web" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
# 0640 in the archive too: the file is never world-readable, even before postinst gives it to the
# carechat group.
install -m 0640 "$packaging/carechat.conf" "$root/etc/carechat/carechat.conf"
install -m 0644 "$packaging/carechat.service" "$root/lib/systemd/system/carechat.service"
install -m 0644 "$src/README.md" "$root/usr/share/doc/carechat/README.md"
install -m 0644 "$src/docs/operations.md" "$root/usr/share/doc/carechat/operations.md"
printf 'carechat\n\nCopyright: the carechat authors. Built from %s.\n' "$("$bin" --version)" \
  > "$root/usr/share/doc/carechat/copyright"
chmod 0644 "$root/usr/share/doc/carechat/copyright"

for script in postinst prerm postrm; do install -m 0755 "$packaging/debian/$script" "$root/DEBIAN/$script"; done
install -m 0644 "$packaging/debian/conffiles" "$root/DEBIAN/conffiles"

# dpkg-shlibdeps reads debian/control of a source package: give it a minimal one.
mkdir -p "$stage/src/debian"
printf 'Source: carechat\n\nPackage: carechat\nArchitecture: any\n' > "$stage/src/debian/control"
depends=$(cd "$stage/src" && dpkg-shlibdeps -O -e"$root/usr/bin/carechat" 2>"$stage/shlibdeps.log" \
          | sed -n 's/^shlibs:Depends=//p') || { cat "$stage/shlibdeps.log" >&2; exit 1; }
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; cat "$stage/shlibdeps.log" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
  "$packaging/debian/control.in" > "$root/DEBIAN/control"

mkdir -p "$out"
deb=$out/carechat_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zgzip --build "$root" "$deb" >/dev/null
ln -sf "$(basename "$deb")" "$out/carechat.deb"
echo "$deb"
