#!/usr/bin/env bash
# Builds the seplos .deb from a Native AOT publish folder with dpkg-deb (no debhelper).
#   packaging/deb/build-deb.sh VERSION DEB_ARCH PUBLISH_DIR OUT_DIR
# VERSION is Debian's (1.0.0, 1.1.0~rc1); DEB_ARCH amd64 or arm64. Prints the .deb's path.
# SEPLOS_MANPAGE=FILE adds that seplos(1) page; DEB_MAINTAINER overrides the Maintainer field.
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: $0 VERSION amd64|arm64 PUBLISH_DIR OUT_DIR" >&2
  exit 2
fi
version=$1 arch=$2 publish=$3 out=$4
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
for tool in dpkg-deb readelf gzip; do
  command -v "$tool" >/dev/null || { echo "error: $tool is missing (apt-get install dpkg binutils gzip)" >&2; exit 1; }
done
[ -x "$publish/seplos" ] || { echo "error: no program at $publish/seplos" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
# Reproducible: every file dated by the release's commit (release.sh sets SOURCE_DATE_EPOCH).
stamp="${SOURCE_DATE_EPOCH:-$(date +%s)}"

# The program and the native libraries it loads from its own folder (not seplos.dbg: symbols only).
install -d "$root/usr/lib/seplos" "$root/usr/bin"
install -m 0755 "$publish/seplos" "$root/usr/lib/seplos/seplos"
for lib in "$publish"/*.so; do
  [ -e "$lib" ] && install -m 0644 "$lib" "$root/usr/lib/seplos/"
done
# .NET finds those libraries beside the resolved executable, so a symlink in /usr/bin works.
ln -s ../lib/seplos/seplos "$root/usr/bin/seplos"

# The example configuration, as a conffile: the journal goes to the service's state folder.
install -d "$root/etc/seplos"
sed 's|^; journal = /var/lib/seplos/journal.jsonl$|journal = /var/lib/seplos/journal.jsonl|' "$repo/seplos.ini" > "$root/etc/seplos/seplos.ini"
grep -q '^journal = /var/lib/seplos/journal.jsonl$' "$root/etc/seplos/seplos.ini" \
  || { echo "error: seplos.ini no longer has the commented journal line this script enables" >&2; exit 1; }
chmod 0644 "$root/etc/seplos/seplos.ini"

install -d "$root/lib/systemd/system"
install -m 0644 "$repo/packaging/seplos-mqtt.service" "$root/lib/systemd/system/seplos-mqtt.service"

doc="$root/usr/share/doc/seplos"
install -d "$doc/docs"
install -m 0644 "$repo/README.md" "$doc/README.md"
for page in "$repo"/docs/*.md; do
  install -m 0644 "$page" "$doc/docs/"
done
# The README links docs/mqtt.md; the unit file links mqtt.md beside README.md.
ln -s docs/mqtt.md "$doc/mqtt.md"
install -m 0644 "$here/copyright" "$doc/copyright"
install -d "$root/usr/share/lintian/overrides"
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/seplos"
# The manual page (release.sh makes it from the program's --help with help2man), when given.
if [ -n "${SEPLOS_MANPAGE:-}" ]; then
  install -d "$root/usr/share/man/man1"
  gzip -9n < "$SEPLOS_MANPAGE" > "$root/usr/share/man/man1/seplos.1.gz"
  chmod 0644 "$root/usr/share/man/man1/seplos.1.gz"
fi
{
  echo "seplos ($version) unstable; urgency=medium"
  echo
  echo "  * Release $version; see README.md."
  echo
  echo " -- ${DEB_MAINTAINER:-SeplosConsole developers <seplos@example.org>}  $(date -u -R -d "@$stamp")"
} | gzip -9n > "$doc/changelog.gz"
chmod 0644 "$doc/changelog.gz"

# Dependencies from the ELF files themselves (dpkg-shlibdeps needs a source tree and, for arm64,
# the foreign libc's symbols files): the newest glibc symbol version they use, and libgcc_s /
# libstdc++ when linked. readelf reads any architecture.
glibc=$(readelf -W --dyn-syms "$root"/usr/lib/seplos/* 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
needed=$(readelf -d "$root"/usr/lib/seplos/* 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
depends="libc6 (>= ${glibc:?no glibc symbol versions found})"
grep -q '^libgcc_s' <<<"$needed" && depends="$depends, libgcc-s1"
grep -q '^libstdc++' <<<"$needed" && depends="$depends, libstdc++6"
depends="$depends, adduser"
# OpenSSL is not linked (NEEDED) but loaded by .NET only for TLS (tls = true in [mqtt], an https
# OTLP collector): control.in recommends libssl3 (bookworm; libssl3t64 from trixie on), which apt
# installs by default. The program says which package to install when it is missing (Hosting/OpenSsl.cs).
unknown=$(grep -v -E '^(libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|ld-linux|libgcc_s|libstdc\+\+)' <<<"$needed" || true)
if [ -n "$unknown" ]; then
  echo "error: the program needs libraries this script has no package for: $unknown" >&2
  exit 1
fi

install -d "$root/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
    -e "s/@MAINTAINER@/${DEB_MAINTAINER:-SeplosConsole developers <seplos@example.org>}/" \
    "$here/control.in" > "$root/DEBIAN/control"
echo /etc/seplos/seplos.ini > "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "$here/$script" "$root/DEBIAN/$script"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
find "$root" -exec touch -h -d "@$stamp" {} +

mkdir -p "$out"
deb="$out/seplos_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
