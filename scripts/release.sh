#!/usr/bin/env bash
# Release build: the native program for linux-x64 and linux-arm64 (Raspberry Pi, 64-bit OS), each as
# a .tar.gz and a .deb, and SHA256SUMS, from the committed sources (HEAD) of this checkout.
#   scripts/release.sh VERSION [OUT_DIR]      e.g. scripts/release.sh 1.0.0  (default OUT_DIR: dist/)
# Runs on x64 Debian (12+) as root or with sudo; installs the cross tools it needs with apt.
set -euo pipefail

die() { echo "release: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 VERSION [OUT_DIR]" >&2; exit 2; }
version=$1
# A version both MSBuild and Debian accept; a pre-release suffix sorts before the release in
# Debian as "~" (1.1.0-rc1 → 1.1.0~rc1).
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]] || { echo "release: VERSION must look like 1.0.0 or 1.1.0-rc1, not '$version'" >&2; exit 2; }
deb_version=${version/-/\~}
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${2:-$repo/dist}" && cd "${2:-$repo/dist}" && pwd)"

[ "$(uname -m)" = x86_64 ] || die "builds on x64 only (the arm64 program is cross-compiled); this is $(uname -m)"
command -v apt-get >/dev/null || die "needs Debian's apt to install the cross tools (clang, lld, gcc-aarch64-linux-gnu)"
command -v dotnet >/dev/null || die "needs the .NET 10 SDK (dotnet) on PATH"
command -v git >/dev/null || die "needs git"

# What the platform notes measured: clang drives both links; the aarch64 cross libc comes with
# gcc-aarch64-linux-gnu, its objcopy with binutils-aarch64-linux-gnu.
packages=(clang lld gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu dpkg-dev binutils xz-utils help2man)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "release: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || die "apt-get update failed; install by hand: ${missing[*]}"
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || die "could not install ${missing[*]} with apt-get"
fi

# The committed sources only, in a folder of their own: what the version names is what gets built,
# and the checkout's bin/obj stay as they are.
commit=$(git -C "$repo" rev-parse --short=12 HEAD)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
  echo "release: warning: uncommitted changes are not in the release (building $commit)" >&2
fi
export SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct HEAD)
build_date=$(date -u -d "@$(date +%s)" +%Y-%m-%dT%H:%M:%SZ)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive --format=tar HEAD | tar -x -C "$work"
mkdir -p "$work/src" && (cd "$work" && find . -mindepth 1 -maxdepth 1 ! -name src -exec mv {} src/ \;)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
publish() { # RID PUBLISH_DIR [extra MSBuild arguments]
  local rid=$1 dir=$2
  shift 2
  echo "release: publishing $rid"
  dotnet publish "$work/src/SeplosConsole/SeplosConsole.csproj" -c Release -r "$rid" -p:PublishAot=true \
    -p:Version="$version" -p:SeplosVersion="$version" -p:SeplosCommit="$commit" -p:SeplosBuildDate="$build_date" \
    -p:CppCompilerAndLinker=clang --disable-build-servers --nologo -o "$dir" "$@" > "$work/publish-$rid.log" 2>&1 \
    || { tail -30 "$work/publish-$rid.log" >&2; die "dotnet publish -r $rid failed (log above)"; }
  grep -E ' warning [A-Z]+[0-9]+' "$work/publish-$rid.log" >&2 && die "dotnet publish -r $rid has warnings (above)"
  [ -x "$dir/seplos" ] || die "dotnet publish -r $rid made no $dir/seplos"
}

cd "$out"
rm -f seplos-"$version"-linux-*.tar.gz seplos_"$deb_version"_*.deb SHA256SUMS
for target in linux-x64:amd64 linux-arm64:arm64; do
  rid=${target%%:*} arch=${target##*:}
  dir="$work/publish-$rid"
  if [ "$rid" = linux-arm64 ]; then
    # Leave SysRoot unset: with it lld fails on the cross libc.so's absolute paths (platform notes).
    publish "$rid" "$dir" -p:ObjCopyName=aarch64-linux-gnu-objcopy
  else
    publish "$rid" "$dir"
  fi
  if [ "$rid" = linux-x64 ]; then
    # seplos(1) from the program's own --help (the same text for every architecture).
    LC_ALL=C.UTF-8 help2man --no-info --no-discard-stderr --version-string="$version" \
      --name="monitor and MQTT bridge for Seplos V3 battery management systems" "$dir/seplos" > "$work/seplos.1" \
      || die "help2man could not make the manual page from $dir/seplos --help"
    export SEPLOS_MANPAGE="$work/seplos.1"
  fi
  # The tarball: the program folder (as README "Install"), with the example config and the unit.
  name="seplos-$version-$rid"
  stage="$work/$name"
  mkdir -p "$stage"
  cp "$dir/seplos" "$dir"/*.so "$stage/"
  cp "$work/src/seplos.ini" "$work/src/README.md" "$work/src/packaging/seplos-mqtt.service" "$stage/"
  tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner -C "$work" -czf "$name.tar.gz" "$name"
  "$work/src/packaging/deb/build-deb.sh" "$deb_version" "$arch" "$dir" "$out" >/dev/null
  echo "release: $rid $(stat -c %s "$dir/seplos") bytes (program), $(stat -c %s "$name.tar.gz") (.tar.gz), $(stat -c %s "seplos_${deb_version}_$arch.deb") (.deb)"
done
sha256sum seplos-"$version"-linux-*.tar.gz seplos_"$deb_version"_*.deb > SHA256SUMS
echo "release: $version ($commit) in $out:"
sed 's/^/  /' SHA256SUMS
