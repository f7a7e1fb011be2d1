#!/usr/bin/env bash
# Scale figures for docs/mqtt.md (issue 15): BRIDGES `seplos mqtt` bridges, each polling 16 packs
# on the in-process simulator, into one private mosquitto on loopback, and one `seplos --mqtt`
# dashboard in tmux. Reports messages/s at the broker ($SYS counters), each bridge's processor
# share and resident memory, the viewer's, and how many packs the viewer lists.
# Usage: scripts/measure-mqtt-scale.sh [SECONDS] [BRIDGES]  (defaults 60 and 4)
# SEPLOS overrides the program (default: the Debug build run by dotnet).
set -euo pipefail
seconds=${1:-60}
bridges=${2:-4}
program=${SEPLOS:-"dotnet $(cd "$(dirname "$0")/.." && pwd)/SeplosConsole/bin/Debug/net10.0/seplos.dll"}
work=$(mktemp -d /tmp/seplos-scale-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pids=()
session="seplos-scale-$$"
cleanup() {
  tmux -L "$session" kill-server 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
  sleep 2
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
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

echo "warming up 20 s (discovery of $((bridges * 16)) packs) …" >&2
sleep 20
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
counter() { timeout 5 mosquitto_sub -p "$port" -t "\$SYS/broker/messages/$1" -C 1; }
declare -A before
for pid in "${pids[@]:1}" "$viewer"; do before[$pid]=$(ticks "$pid"); done
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
echo "viewer: $(echo "scale=1; ($(ticks "$viewer") - ${before[$viewer]}) * 100 / $hz / $elapsed" | bc) % of a core, $(( $(rss "$viewer") / 1024 )) MiB"
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
