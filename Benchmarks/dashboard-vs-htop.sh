#!/usr/bin/env bash
# What mapitop costs an ops box when nothing happens, side by side with htop in the same run.
# Each program runs for $SECONDS_PER_RUN seconds (default 60) after a 3-second start; we read
# its CPU time and its threads' context switches (each one a wake-up) from /proc, its resident
# memory, and, for the screens, the bytes it writes to the terminal (tmux pipe-pane, 200x50).
# Runs: htop -d 10 (1 s refresh); `mapitop record` alone on three quiet tokens (no traffic
# but its own probes); `mapitop watch` on the same tokens, recording while open; and
# `mapitop demo` (simulator, tap and synthetic traffic in one process, so its CPU includes
# them). Figures are also given as ratios to htop of the same run: the target for record and
# for watch is at most htop's CPU (issue 23, point 3).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${SECONDS_PER_RUN:-60}
command -v htop >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq htop >/dev/null; }
swift build -c release --product mapitop >/dev/null
BIN=$PWD/.build/release/mapitop
WORK=$(mktemp -d)
SOCK=$WORK/sock
cleanup() {
  tmux -S "$SOCK" kill-server 2>/dev/null || true
  kill "${SIM_PID:-0}" "${RECORD_PID:-0}" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# An idle API: three tokens, nobody calling but mapitop's own probes.
"$BIN" simulate --port 18491 --token a=idle-secret-a --token b=idle-secret-b --token c=idle-secret-c >/dev/null 2>&1 & SIM_PID=$!
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
[[token]]
label = "c"
secret_env = "IDLE_C"
site_id = "Abcd1234"
CONF
export IDLE_A=idle-secret-a IDLE_B=idle-secret-b IDLE_C=idle-secret-c

# CPU ticks and context switches of every thread of a process, now.
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {n += $2} END {print n+0}'; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

# sample PID → "cpu_seconds wakeups rss_mib" over SECONDS_PER_RUN
sample() {
  local pid=$1 t0 t1 s0 s1
  t0=$(cpu_ticks "$pid"); s0=$(switches "$pid")
  sleep "$SECONDS_PER_RUN"
  t1=$(cpu_ticks "$pid"); s1=$(switches "$pid")
  echo "$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }') $((s1 - s0)) $(rss_mib "$pid")"
}

screen() { # name command… → "cpu_seconds wakeups rss_mib bytes"
  local name=$1; shift
  tmux -S "$SOCK" -f /dev/null new-session -d -s "$name" -x 200 -y 50 -e LANG=C.UTF-8 -e IDLE_A="$IDLE_A" -e IDLE_B="$IDLE_B" \
    -e IDLE_C="$IDLE_C" -e XDG_STATE_HOME="$WORK/state-$name" -e XDG_RUNTIME_DIR="$WORK/run-$name" "$*"
  tmux -S "$SOCK" set-option -t "$name" window-size manual
  sleep 3 # start-up is not what we measure
  local pane pid
  pane=$(tmux -S "$SOCK" display -p -t "$name" '#{pane_pid}')
  pid=$(pgrep -P "$pane" | head -1 || true)
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || pid=$pane
  tmux -S "$SOCK" pipe-pane -o -t "$name" "cat > $WORK/$name.bytes"
  local figures; figures=$(sample "$pid")
  tmux -S "$SOCK" pipe-pane -t "$name"
  tmux -S "$SOCK" kill-session -t "$name"
  echo "$figures $(wc -c < "$WORK/$name.bytes")"
}

headless() { # name command… → "cpu_seconds wakeups rss_mib 0"
  local name=$1; shift
  mkdir -p "$WORK/run-$name" && chmod 700 "$WORK/run-$name"
  XDG_STATE_HOME="$WORK/state-$name" XDG_RUNTIME_DIR="$WORK/run-$name" "$@" >/dev/null 2>&1 & RECORD_PID=$!
  sleep 3
  local figures; figures=$(sample "$RECORD_PID")
  kill "$RECORD_PID"; wait "$RECORD_PID" 2>/dev/null || true
  echo "$figures 0"
}

mkdir -p "$WORK/run-watch" "$WORK/run-demo" && chmod 700 "$WORK/run-watch" "$WORK/run-demo"
read -r H_CPU H_WAKE H_RSS H_BYTES < <(screen htop htop -d 10)
read -r R_CPU R_WAKE R_RSS R_BYTES < <(headless record "$BIN" record --config "$WORK/config.toml" --admin 127.0.0.1:18492 --log-file "$WORK/record.log")
read -r W_CPU W_WAKE W_RSS W_BYTES < <(screen watch "$BIN" watch --config "$WORK/config.toml" --log-file "$WORK/watch.log")
read -r D_CPU D_WAKE D_RSS D_BYTES < <(screen demo "$BIN" demo --log-file "$WORK/demo.log")
awk -v s="$SECONDS_PER_RUN" \
  -v hc="$H_CPU" -v hw="$H_WAKE" -v hr="$H_RSS" -v hb="$H_BYTES" \
  -v rc="$R_CPU" -v rw="$R_WAKE" -v rr="$R_RSS" -v rb="$R_BYTES" \
  -v wc="$W_CPU" -v ww="$W_WAKE" -v wr="$W_RSS" -v wb="$W_BYTES" \
  -v dc="$D_CPU" -v dw="$D_WAKE" -v dr="$D_RSS" -v db="$D_BYTES" 'BEGIN {
  printf "%d s each, screens in tmux at 200x50   CPU %% of a core  wake-ups/s  RSS MiB  bytes/s to terminal   CPU vs htop  wake-ups vs htop\n", s
  printf "htop -d 10                              %8.2f       %8.1f   %6d   %10.0f\n", 100*hc/s, hw/s, hr, hb/s
  printf "mapitop record, 3 quiet tokens          %8.2f       %8.1f   %6d   %10s          %8.2f      %8.2f\n", 100*rc/s, rw/s, rr, "-", (hc>0?rc/hc:0), (hw>0?rw/hw:0)
  printf "mapitop watch, same, recording while open %6.2f       %8.1f   %6d   %10.0f          %8.2f      %8.2f\n", 100*wc/s, ww/s, wr, wb/s, (hc>0?wc/hc:0), (hw>0?ww/hw:0)
  printf "mapitop demo (with its traffic)         %8.2f       %8.1f   %6d   %10.0f          %8.2f      %8.2f\n", 100*dc/s, dw/s, dr, db/s, (hc>0?dc/hc:0), (hw>0?dw/hw:0)
}'
