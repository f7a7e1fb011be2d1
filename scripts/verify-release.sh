#!/usr/bin/env bash
# Checks what scripts/release.sh made, as CI's release step (.ci/run):
#   scripts/verify-release.sh VERSION DIST_DIR
# - the arm64 program under qemu-user: --version, --simulate all --json, simulate --link + show over
#   a pty, the dashboard in tmux;
# - the x64 .deb: contents, conffile, `systemd-analyze verify` of its unit, then install, upgrade,
#   remove and purge in a clean Debian root made by debootstrap (user's config and journal kept);
# - the native test suite against the packaged program (SEPLOS_PACKAGE_ROOT), which runs the unit's
#   ExecStart with serial = sim and a local mosquitto and listens on NOTIFY_SOCKET.
# Needs: qemu-user-static, tmux, debootstrap, systemd (systemd-analyze), python3, mosquitto.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 VERSION DIST_DIR" >&2; exit 2; }
version=$1
[ -f "$2/SHA256SUMS" ] || { echo "verify-release: $2 holds no release (no SHA256SUMS); make one with scripts/release.sh $version $2" >&2; exit 2; }
dist="$(cd "$2" && pwd)"
deb_version=${version/-/\~}
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
tmux_socket="seplos-verify-$$"
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  tmux -L "$tmux_socket" kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "verify-release: FAILED: $*" >&2; exit 1; }
step() { echo "verify-release: $*"; }
for tool in qemu-aarch64-static tmux systemd-analyze dpkg-deb python3; do
  command -v "$tool" >/dev/null || fail "$tool is missing (.ci/run installs it)"
done
(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the artifacts"

# ---- arm64 under qemu-user (emulated: its timings say nothing about a Raspberry Pi) ----
tar -xzf "$dist/seplos-$version-linux-arm64.tar.gz" -C "$work"
arm="$work/seplos-$version-linux-arm64"
file -b "$arm/seplos" 2>/dev/null | grep -q 'ARM aarch64' || readelf -h "$arm/seplos" | grep -q 'AArch64' || fail "the arm64 program is not an aarch64 executable"
qemu() { qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm/seplos" "$@"; }
start_ns=$(date +%s%N)
line=$(qemu --version)
step "arm64 --version: $line ($(( ($(date +%s%N) - start_ns) / 1000000 )) ms under qemu)"
[[ $line == "seplos $version (commit "*", built "*")" ]] || fail "arm64 --version printed '$line'"
(cd "$work" && qemu --simulate all --json > arm-all.json) || fail "arm64 --simulate all --json failed"
python3 - "$work/arm-all.json" <<'PY' || fail "arm64 --simulate all --json is not the expected JSON"
import json, sys
data = json.load(open(sys.argv[1]))
voltage = data["readings"]["pack_voltage"]
assert voltage["unit"] == "V" and 40 <= voltage["value"] <= 60, voltage
print(f"verify-release: arm64 --simulate all --json: pack_voltage {voltage['value']} V, {len(data['readings'])} readings")
PY
# A simulated pack on a pseudo-terminal, and the program asking it over the pty, both arm64.
(cd "$work" && exec qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm/seplos" simulate --link "$work/sim0" > "$work/sim.log" 2>&1) &
sim_pid=$!
for _ in $(seq 100); do [ -e "$work/sim0" ] && break; sleep 0.1; done
[ -e "$work/sim0" ] || fail "arm64 simulate --link made no $work/sim0: $(cat "$work/sim.log")"
shown=$(cd "$work" && qemu --port "$work/sim0" show pack_voltage soc) || fail "arm64 show over the pty failed"
step "arm64 show over the pty: $(echo "$shown" | tr '\n' ';')"
grep -Eq '^pack_voltage [0-9]+\.[0-9]+ V$' <<<"$shown" || fail "arm64 show printed '$shown'"
kill "$sim_pid" && wait "$sim_pid" 2>/dev/null || true
sim_pid=""
# The dashboard in tmux for a few seconds: the pack voltage and ONLINE on screen, then q quits with 0.
tmux -L "$tmux_socket" new-session -d -x 100 -y 32 \
  "cd '$work' && qemu-aarch64-static -L /usr/aarch64-linux-gnu '$arm/seplos' --simulate 2>'$work/dash.err'; echo \$? > '$work/dash.status'"
screen=""
for _ in $(seq 300); do
  screen=$(tmux -L "$tmux_socket" capture-pane -p 2>/dev/null || true)
  grep -q ONLINE <<<"$screen" && grep -Eq 'Voltage +[0-9]{2}\.[0-9]{2} V' <<<"$screen" && break
  sleep 0.1
done
grep -q ONLINE <<<"$screen" || fail "the arm64 dashboard never showed ONLINE:\n$screen"
sleep 3 # a few seconds of live polling, as a person would watch it
tmux -L "$tmux_socket" send-keys q
for _ in $(seq 150); do [ -s "$work/dash.status" ] && break; sleep 0.1; done
[ "$(cat "$work/dash.status" 2>/dev/null)" = 0 ] || fail "the arm64 dashboard did not quit with 0: $(cat "$work/dash.err" 2>/dev/null)"
step "arm64 dashboard in tmux: ONLINE, quit with 0"

# The OpenTelemetry Prometheus exporter in the arm64 program: the bridge (no broker needed: it
# retries) serves /metrics, scraped and checked for the issue's names.
metrics_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/metrics"
printf '[seplos]\nserial = sim\ninterval_ms = 500\n[mqtt]\nserver = 127.0.0.1\nport = 1\n[metrics]\nlisten = 127.0.0.1:%s\n' "$metrics_port" > "$work/metrics/seplos.ini"
(cd "$work/metrics" && exec qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm/seplos" mqtt > "$work/metrics/out" 2>&1) &
sim_pid=$!
scraped=""
for _ in $(seq 150); do
  scraped=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null || true)
  grep -Eq '^seplos_pack_voltage_volts\{address="0",serial="[^"]*"\} [0-9.]+$' <<<"$scraped" && break
  sleep 0.2
done
kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
sim_pid=""
grep -Eq '^seplos_pack_voltage_volts\{address="0",serial="[^"]*"\} [0-9.]+$' <<<"$scraped" || fail "the arm64 bridge served no pack voltage on /metrics: $(tail -5 "$work/metrics/out")"
grep -Eq '^seplos_bus_requests_total\{address="0",result="timeout",serial="[^"]*"\} [0-9]+$' <<<"$scraped" || fail "the arm64 /metrics lacks seplos_bus_requests_total{result=\"timeout\"}"
step "arm64 /metrics (OpenTelemetry Prometheus exporter): $(grep -c '^seplos_' <<<"$scraped") series"

# TLS without libssl (the cross sysroot has none, like a Pi without libssl3): one line naming the
# package and exit 1, not .NET's abort ("No usable version of libssl was found", signal 6).
if ! ls /usr/aarch64-linux-gnu/lib/libssl.so.* >/dev/null 2>&1; then
  printf '[seplos]\nserial = sim\n[mqtt]\nserver = 127.0.0.1\nport = 8883\ntls = true\n' > "$work/metrics/seplos.ini"
  tls_status=0
  tls_out=$(cd "$work/metrics" && timeout 60 qemu-aarch64-static -L /usr/aarch64-linux-gnu "$arm/seplos" mqtt 2>&1) || tls_status=$?
  [ "$tls_status" = 1 ] && grep -q 'needs OpenSSL.*apt install libssl3' <<<"$tls_out" \
    || fail "arm64 tls = true without libssl: exit $tls_status, '$tls_out' (expected 1 and the libssl3 line)"
  step "arm64 tls = true without libssl: $tls_out"
fi

# ---- the x64 .deb: what it holds ----
deb="$dist/seplos_${deb_version}_amd64.deb"
dpkg-deb --info "$deb" > "$work/info"
grep -q "^ Version: $deb_version$" "$work/info" || fail ".deb version is not $deb_version"
grep -q '^ Depends: .*adduser' "$work/info" || fail ".deb does not depend on adduser"
grep -q '^ Recommends: .*libssl3' "$work/info" || fail ".deb does not recommend libssl3 (TLS to the broker)"
[ "$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)" = /etc/seplos/seplos.ini ] || fail "/etc/seplos/seplos.ini is not marked as a conffile"
dpkg-deb --contents "$deb" > "$work/contents"
for path in ./usr/lib/seplos/seplos ./usr/lib/seplos/libSystem.IO.Ports.Native.so "./usr/bin/seplos -> ../lib/seplos/seplos" \
            ./etc/seplos/seplos.ini ./lib/systemd/system/seplos-mqtt.service ./usr/share/doc/seplos/copyright ./usr/share/doc/seplos/docs/mqtt.md; do
  grep -qF " $path" "$work/contents" || fail ".deb lacks $path"
done
root="$work/deb-root"
dpkg-deb -x "$deb" "$root"
# verify follows the unit's dependencies (sysinit.target …) and checks that ExecStart exists, so
# it runs on a root holding this system's units and the package's files.
verify_root="$work/verify-root"
mkdir -p "$verify_root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$verify_root/usr/lib/systemd/"
dpkg-deb -x "$deb" "$verify_root"
# It says "ignoring" for an unknown key or a bad value and still exits 0: any output is a failure.
verified=$(systemd-analyze verify --root="$verify_root" /lib/systemd/system/seplos-mqtt.service 2>&1) && [ -z "$verified" ] \
  || fail "systemd-analyze verify rejects seplos-mqtt.service: $verified"
step ".deb: conffile marked, files in place, unit verified"

# ---- install, upgrade, remove, purge in a clean Debian root ----
# debootstrap fetches from the mirror apt already uses here (no other network).
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
chroot_dir="$work/debian"
if [ -z "$mirror" ] || ! command -v debootstrap >/dev/null; then
  fail "debootstrap or an apt mirror is missing (.ci/run installs debootstrap)"
fi
step "debootstrap $suite (minbase)"
debootstrap --variant=minbase "$suite" "$chroot_dir" "$mirror" > "$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
in_root() { chroot "$chroot_dir" "$@"; }
cp "$deb" "$chroot_dir/tmp/seplos.deb"
in_root dpkg -i /tmp/seplos.deb > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i in a clean root failed"; }
in_root getent passwd seplos >/dev/null || fail "postinst made no seplos user"
in_root id -nG seplos | grep -qw dialout || fail "the seplos user is not in dialout"
[ "$(in_root stat -c %U:%a /var/lib/seplos)" = seplos:750 ] || fail "/var/lib/seplos is not seplos's, mode 750"
in_root /usr/bin/seplos --version | grep -q "^seplos $version " || fail "the installed seplos --version is wrong"
[ -z "$(find "$chroot_dir/etc/systemd/system" -name seplos-mqtt.service 2>/dev/null)" ] || fail "the service was enabled at install"
# The user's: an edited config, a secret file, a journal.
echo "; edited by the user" >> "$chroot_dir/etc/seplos/seplos.ini"
echo "[mqtt]" > "$chroot_dir/etc/seplos/seplos.secret.ini"
echo '{"result":"confirmed"}' > "$chroot_dir/var/lib/seplos/journal.jsonl"
# An upgrade: the same program packaged as a later version.
later="${deb_version}+verify1"
"$repo/packaging/deb/build-deb.sh" "$later" amd64 "$root/usr/lib/seplos" "$work/later" > /dev/null
cp "$work/later/seplos_${later}_amd64.deb" "$chroot_dir/tmp/seplos-later.deb"
in_root dpkg -i /tmp/seplos-later.deb > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "the upgrade failed"; }
grep -q '^; edited by the user$' "$chroot_dir/etc/seplos/seplos.ini" || fail "the upgrade lost the user's seplos.ini"
in_root dpkg -r seplos > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -r failed"; }
[ ! -e "$chroot_dir/usr/lib/seplos/seplos" ] || fail "remove left the program"
grep -q '^; edited by the user$' "$chroot_dir/etc/seplos/seplos.ini" || fail "remove touched seplos.ini"
in_root dpkg -P seplos > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -P failed"; }
[ ! -e "$chroot_dir/etc/seplos/seplos.ini" ] || fail "purge left the conffile"
[ -e "$chroot_dir/etc/seplos/seplos.secret.ini" ] || fail "purge removed the user's seplos.secret.ini"
[ -s "$chroot_dir/var/lib/seplos/journal.jsonl" ] || fail "install, upgrade, remove or purge lost the journal"
step ".deb in a clean $suite root: installed (user seplos in dialout, service disabled), upgraded (config kept), removed and purged (journal and secret file kept)"
