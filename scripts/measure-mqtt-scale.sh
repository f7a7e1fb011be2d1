#!/usr/bin/env bash
# Scale figures for docs/mqtt.md (issue 15): BRIDGES `seplos mqtt` bridges, each polling 16 packs
# on the in-process simulator, into one private mosquitto on loopback, one `seplos --mqtt`
# dashboard in tmux and one `seplos --mqtt watch --json` subscriber. Reports messages/s at the
# broker ($SYS counters), each bridge's processor share and resident memory, the dashboard's and
# the subscriber's, the read -> printed latency distribution at the subscriber (block read_at in
# the snapshot vs. the line's age when printed; one machine, one clock), the read -> screen age on
# the dashboard's status line, and whether every pack stays fresh within its sweep + 1 s.
# Usage: scripts/measure-mqtt-scale.sh [SECONDS] [BRIDGES]  (defaults 60 and 4)
# SEPLOS overrides the program (default: the Debug build run by dotnet).
set -euo pipefail
seconds=${1:-60}
bridges=${2:-4}
program=${SEPLOS:-"dotnet $(cd "$(dirname "$0")/.." && pwd)/SeplosConsole/bin/Debug/net10.0/seplos.dll"}
work=$(mktemp -d /tmp/seplos-scale-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
watcher=
session="seplos-scale-$$"
cleanup() {
  tmux -L "$session" kill-server 2>/dev/null || true
  for pid in "${pids[@]}" $watcher; do kill -INT "$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${pids[@]}" $watcher; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nsys_interval 1\nuser %s\n' "$port" "$(id -un)" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
sleep 0.5

for n in $(seq 1 "$bridges"); do
  mkdir -p "$work/bridge$n"
  printf '[mqtt]\nserver = 127.0.0.1\nport = %s\nprefix = bus%s\n' "$port" "$n" > "$work/bridge$n/seplos.ini"
  (cd "$work/bridge$n" && exec $program --simulate --address 0-15 mqtt 2> "$work/bridge$n/log") &
  pids+=($!)
done
mkdir -p "$work/viewer"
printf '[mqtt]\nserver = 127.0.0.1\nport = %s\n' "$port" > "$work/viewer/seplos.ini"
tmux -L "$session" new-session -d -s main -x 100 -y 32 "cd '$work/viewer' && exec $program --mqtt 2> '$work/viewer/log'"
viewer=$(tmux -L "$session" display-message -p -t main '#{pane_pid}')
# The subscriber: one JSON line per snapshot received, with its bridge and age when printed.
(cd "$work/viewer" && exec $program --mqtt watch --json > "$work/watch.jsonl" 2> "$work/watch.log") &
watcher=$!

echo "warming up 20 s (discovery of $((bridges * 16)) packs) …" >&2
sleep 20
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
counter() { timeout 5 mosquitto_sub -p "$port" -t "\$SYS/broker/messages/$1" -C 1; }
declare -A before
for pid in "${pids[@]:1}" "$viewer" "$watcher"; do before[$pid]=$(ticks "$pid"); done
lines0=$(wc -l < "$work/watch.jsonl")
received0=$(counter received); sent0=$(counter sent); start=$(date +%s.%N)
sleep "$seconds"
received1=$(counter received); sent1=$(counter sent); end=$(date +%s.%N)
hz=$(getconf CLK_TCK)
elapsed=$(echo "$end - $start" | bc)
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc); $seconds s measured"
echo "broker: $(echo "scale=0; ($received1 - $received0) / $elapsed" | bc) msg/s received, $(echo "scale=0; ($sent1 - $sent0) / $elapsed" | bc) msg/s sent"
n=0
for pid in "${pids[@]:1}"; do
  n=$((n + 1))
  echo "bridge $n: $(echo "scale=1; ($(ticks "$pid") - ${before[$pid]}) * 100 / $hz / $elapsed" | bc) % of a core, $(( $(rss "$pid") / 1024 )) MiB"
done
echo "dashboard (seplos --mqtt): $(echo "scale=1; ($(ticks "$viewer") - ${before[$viewer]}) * 100 / $hz / $elapsed" | bc) % of a core, $(( $(rss "$viewer") / 1024 )) MiB"
echo "subscriber (watch --mqtt --json): $(echo "scale=1; ($(ticks "$watcher") - ${before[$watcher]}) * 100 / $hz / $elapsed" | bc) % of a core, $(( $(rss "$watcher") / 1024 )) MiB"
# The subscriber's lines of the measured window: latency, and freshness per pack.
tail -n +"$((lines0 + 1))" "$work/watch.jsonl" > "$work/window.jsonl"
python3 - "$work/window.jsonl" "$((bridges * 16))" <<'PY'
import json, sys, datetime
packs, ages = {}, []
for line in open(sys.argv[1]):
    doc = json.loads(line)
    if doc.get('state') != 'online':
        continue
    read = datetime.datetime.fromisoformat(doc['time']).timestamp()
    packs.setdefault((doc['bridge'], doc['bridge_address']), []).append((read, read + doc['age_seconds']))
    ages.append(doc['age_seconds'] * 1000)
ages.sort()
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"subscriber: {len(packs)} of {sys.argv[2]} packs, {len(ages)} readings")
if ages:
    print(f"read -> printed by watch: p50 {q(ages, .5):.0f} ms, p90 {q(ages, .9):.0f} ms, p99 {q(ages, .99):.0f} ms, max {ages[-1]:.0f} ms")
# Fresh within a sweep + 1 s: between two readings of a pack, the viewer's copy is at most
# (next printed - previous read) old; the sweep is (next read - previous read).
worst, sweeps = 0.0, []
for readings in packs.values():
    for (r0, p0), (r1, p1) in zip(readings, readings[1:]):
        sweeps.append(r1 - r0)
        worst = max(worst, (p1 - r0) - (r1 - r0))
if sweeps:
    sweeps.sort()
    print(f"sweep (between readings of one pack): median {q(sweeps, .5):.2f} s, max {sweeps[-1]:.2f} s")
    print(f"every pack fresh within its sweep + 1 s: {'yes' if worst <= 1.0 and len(packs) == int(sys.argv[2]) else 'NO'} (worst: sweep + {worst:.3f} s)")
PY
# The dashboard: the age on its status line (the selected pack) when a new reading appears,
# sampled every 0.1 s for 20 s (read -> screen, the 500 ms redraw included).
python3 - "$session" <<'PY'
import re, subprocess, sys, time
shown, last, end = [], None, time.time() + 20
while time.time() < end:
    screen = subprocess.run(['tmux', '-L', sys.argv[1], 'capture-pane', '-p', '-t', 'main'], capture_output=True, text=True).stdout
    ages = re.findall(r'(\d+\.\d) s ago', screen.strip().splitlines()[-1] if screen.strip() else '')
    if ages:
        age = float(ages[0])
        if last is not None and age < last:
            shown.append(age)
        last = age
    time.sleep(0.1)
shown.sort()
if shown:
    print(f"read -> dashboard screen (status line, {len(shown)} new readings): median {shown[len(shown) // 2]:.1f} s, max {shown[-1]:.1f} s")
PY
# Every pack's snapshots for 10 s: how many packs, how often each is read (the sweep), and how
# old a reading is when it reaches a subscriber on the broker (read → broker → client; -R leaves
# out the retained ones sent at subscribe, which are up to a sweep old by design).
timeout 10 mosquitto_sub -R -p "$port" -t '+/+/snapshot' -F '%U %t %p' > "$work/snapshots.txt" || true
python3 - "$work/snapshots.txt" <<'PY'
import json, sys, datetime, statistics
ages, last, gaps = [], {}, []
for line in open(sys.argv[1]):
    received, topic, payload = line.split(' ', 2)
    doc = json.loads(payload)
    read = datetime.datetime.fromisoformat(doc['read_at'].replace('Z', '+00:00')).timestamp()
    ages.append((float(received) - read) * 1000)
    if topic in last and read > last[topic]:
        gaps.append(read - last[topic])
    last[topic] = read
ages.sort(); gaps.sort()
q = lambda xs, p: xs[min(len(xs) - 1, int(p * len(xs)))]
print(f"packs publishing: {len(last)}; snapshots in 10 s: {len(ages)}")
print(f"read -> subscriber: median {q(ages, .5):.0f} ms, p95 {q(ages, .95):.0f} ms, max {ages[-1]:.0f} ms")
if gaps:
    print(f"time between readings of one pack (the sweep): median {q(gaps, .5):.2f} s, max {gaps[-1]:.2f} s")
PY
echo "viewer status line: $(tmux -L "$session" capture-pane -p -t main | tail -1 | cut -c1-95)"
