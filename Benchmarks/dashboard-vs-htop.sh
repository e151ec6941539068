#!/usr/bin/env bash
# The dashboard's cost as an ops box sees it, side by side with htop in the same run:
# each program runs in tmux at 200x50 for $SECONDS_PER_RUN seconds (default 60); we read
# its CPU time from /proc and count the bytes it writes to the terminal (tmux pipe-pane).
# Runs: htop -d 10 (1 s refresh), `mapitop watch` on an idle simulator (no new data but
# the probes), and `mapitop demo` (simulator, tap and synthetic traffic in the same process,
# so its CPU includes them). Figures are ratios to htop of the same moment.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
command -v htop >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq htop >/dev/null; }
swift build -c release --product mapitop >/dev/null
BIN=$PWD/.build/release/mapitop
WORK=$(mktemp -d)
SOCK=$WORK/sock
cleanup() { tmux -S "$SOCK" kill-server 2>/dev/null || true; kill "${SIM_PID:-0}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# An idle API for `watch`: two tokens, nobody calling.
"$BIN" simulate --port 18491 --token a=idle-secret-a --token b=idle-secret-b >/dev/null 2>&1 & SIM_PID=$!
cat > "$WORK/config.toml" <<CONF
api_base = "http://127.0.0.1:18491"
[[token]]
label = "a"
secret_env = "IDLE_A"
site_id = "Abcd1234"
[[token]]
label = "b"
secret_env = "IDLE_B"
site_id = "Abcd1234"
CONF

measure() { # name command… → "cpu_seconds bytes"
  local name=$1; shift
  tmux -S "$SOCK" -f /dev/null new-session -d -s "$name" -x 200 -y 50 -e LANG=C.UTF-8 -e IDLE_A=idle-secret-a -e IDLE_B=idle-secret-b "$*"
  tmux -S "$SOCK" set-option -t "$name" window-size manual
  sleep 3 # start-up is not what we measure
  local pid; pid=$(pgrep -P "$(tmux -S "$SOCK" display -p -t "$name" '#{pane_pid}')" || tmux -S "$SOCK" display -p -t "$name" '#{pane_pid}')
  [ -d "/proc/$pid" ] || pid=$(tmux -S "$SOCK" display -p -t "$name" '#{pane_pid}')
  tmux -S "$SOCK" pipe-pane -o -t "$name" "cat > $WORK/$name.bytes"
  local ticks=$(getconf CLK_TCK) before after
  before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  sleep "$SECONDS_PER_RUN"
  after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  tmux -S "$SOCK" pipe-pane -t "$name"
  tmux -S "$SOCK" kill-session -t "$name"
  echo "$(awk -v t="$((after - before))" -v hz="$ticks" 'BEGIN { printf "%.2f", t / hz }') $(wc -c < "$WORK/$name.bytes")"
}

read -r H_CPU H_BYTES < <(measure htop htop -d 10)
read -r I_CPU I_BYTES < <(measure idle "$BIN" watch --config "$WORK/config.toml" --log-file "$WORK/idle.log")
read -r D_CPU D_BYTES < <(measure demo "$BIN" demo --log-file "$WORK/demo.log")
awk -v s="$SECONDS_PER_RUN" -v hc="$H_CPU" -v hb="$H_BYTES" -v ic="$I_CPU" -v ib="$I_BYTES" -v dc="$D_CPU" -v db="$D_BYTES" 'BEGIN {
  printf "200x50 in tmux, %d s each       CPU %% of a core   bytes/s to the terminal   CPU vs htop   bytes vs htop\n", s
  printf "htop -d 10                      %8.2f          %10.0f\n", 100*hc/s, hb/s
  printf "mapitop watch, idle             %8.2f          %10.0f          %8.2f      %8.2f\n", 100*ic/s, ib/s, (hc>0?ic/hc:0), (hb>0?ib/hb:0)
  printf "mapitop demo (with its traffic) %8.2f          %10.0f          %8.2f      %8.2f\n", 100*dc/s, db/s, (hc>0?dc/hc:0), (hb>0?db/hb:0)
}'
