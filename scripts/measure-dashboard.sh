#!/usr/bin/env bash
# Measures what the dashboard costs, as a person at a terminal gets it (issue 4's targets):
#   - start: from launching the program to the first screen showing the pack voltage and all 16 cells
#   - resident memory (VmRSS) and processor share of one core while it polls every INTERVAL ms
# Runs the program in a private tmux server, so it needs tmux; reads /proc for memory and CPU.
#
# usage: scripts/measure-dashboard.sh [--pty] [--interval MS] [--runs N] [--seconds S] [--keys KEYS] BINARY [ARGS…]
#   BINARY   e.g. ./publish/seplos (native or ReadyToRun publish) or "dotnet path/seplos.dll"
#   --pty    poll a `seplos simulate --link` process over a pseudo-terminal (System.IO.Ports)
#            instead of the in-process simulator
#   --keys   keys typed after the last start, before measuring (e.g. g: with the trends view open)
set -euo pipefail

interval=500 runs=5 seconds=60 pty=false keys=
while [ $# -gt 0 ]; do
  case "$1" in
    --pty) pty=true; shift ;;
    --interval) interval=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --keys) keys=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { sed -n '2,13p' "$0"; exit 2; }
binary=$1; shift

work=$(mktemp -d)
tmux=(tmux -L "seplos-measure-$$")
simulator=
cleanup() {
  "${tmux[@]}" kill-server 2>/dev/null || true
  [ -n "$simulator" ] && kill "$simulator" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port=(--simulate)
if $pty; then
  $binary simulate --link "$work/link" >"$work/simulator.log" 2>&1 &
  simulator=$!
  for _ in $(seq 200); do [ -e "$work/link" ] && break; sleep 0.05; done
  port=(--port "$work/link")
fi
# Not exec'd: the pane's shell stays, so a run can end with q and be waited for (a program killed
# with its terminal spends up to 2 s shutting down, which would weigh on the next start).
command="cd $work && env SEPLOS_SEPLOS__INTERVAL_MS=$interval $binary ${port[*]} $*; sleep 3600"

# A pane that waits; respawning it with the program starts the clock without tmux's own start-up.
"${tmux[@]}" new-session -d -s m -x 100 -y 32 "sleep 3600"
has_data() {
  local screen
  screen=$("${tmux[@]}" capture-pane -p -t m 2>/dev/null) || return 1
  grep -qE 'Voltage +[0-9]+\.[0-9]+ V' <<<"$screen" && grep -qE '16 [0-9]\.[0-9]{3}' <<<"$screen"
}

program() { pgrep -P "$("${tmux[@]}" display-message -p -t m "#{pane_pid}")" -x "$(basename "${binary%% *}")" || true; }
quit() {
  "${tmux[@]}" send-keys -t m q
  for _ in $(seq 500); do [ -z "$(program)" ] && return; sleep 0.01; done
  echo "the program did not quit on q" >&2; exit 1
}

starts=()
for run in $(seq "$runs"); do
  [ "$run" -gt 1 ] && quit
  "${tmux[@]}" respawn-pane -k -t m "sleep 3600"
  "${tmux[@]}" clear-history -t m
  sleep 0.5
  started=$(date +%s%N)
  "${tmux[@]}" respawn-pane -k -t m "$command"
  until has_data; do
    sleep 0.005
    if [ $(( ($(date +%s%N) - started) / 1000000 )) -gt 20000 ]; then echo "no data on screen after 20 s" >&2; exit 1; fi
  done
  starts+=( $(( ($(date +%s%N) - started) / 1000000 )) )
done
echo "start to first frame with data (ms): ${starts[*]}"

pid=$(program)
[ -n "$keys" ] && "${tmux[@]}" send-keys -t m "$keys"
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t1=$(ticks); s1=$(date +%s%N)
sleep "$seconds"
t2=$(ticks); s2=$(date +%s%N)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
awk -v t="$((t2 - t1))" -v hz="$(getconf CLK_TCK)" -v ns="$((s2 - s1))" -v rss="$rss" -v hwm="$hwm" -v s="$seconds" -v i="$interval" \
  'BEGIN { printf "after %d s at %d ms: resident %.1f MiB (peak %.1f), processor %.2f %% of one core\n", s + 5, i, rss / 1024, hwm / 1024, 100 * t / hz / (ns / 1e9) }'
