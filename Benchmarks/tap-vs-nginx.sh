#!/usr/bin/env bash
# The tap's cost, side by side in one run (issue 15): wrk against an upstream directly,
# through nginx as a keep-alive reverse proxy, and through `mapitop tap`, for two upstreams:
#   static  nginx serving a 600-byte JSON (the upstream of the anchor figures in NOTES.md), so
#           the proxies' own cost shows;
#   sim     the simulator with a large quota (its own rate is printed too).
# Throughput: 2 threads, 32 connections, 10 s. Added latency: 1 connection, calls one after
# another, so p50/p99 differences are the proxy's own time per call. CPU: the proxy process's
# user+system time over the 32-connection run, per 1 000 requests. Every figure is also given as
# a ratio to direct and to nginx of the same moment: machines here are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk nginx-light >/dev/null; }
done
swift build -c release --product mapitop >/dev/null
BIN=.build/release/mapitop
WORK=$(mktemp -d)
chmod 755 "$WORK"  # nginx workers run as nobody when started by root
SIM=18391 STATIC=18394 TAP_SIM=18392 TAP_STATIC=18395 NGX_SIM=18393 NGX_STATIC=18396
SECRET=bench-secret-not-real
CLK=$(getconf CLK_TCK)
cleanup() {
  kill "${SIM_PID:-}" "${TAP_SIM_PID:-}" "${TAP_STATIC_PID:-}" 2>/dev/null || true
  for conf in upstream proxy; do nginx -p "$WORK" -c "$WORK/$conf.conf" -s stop 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

head -c 600 /dev/zero | tr '\0' ' ' | sed 's/^ \{12\}/{"media":[]}/' > "$WORK/body.json"
"$BIN" simulate --port $SIM --token bench=$SECRET --quota-per-minute 100000000 >/dev/null 2>&1 & SIM_PID=$!
"$BIN" tap --listen 127.0.0.1:$TAP_SIM --upstream http://127.0.0.1:$SIM >/dev/null 2>&1 & TAP_SIM_PID=$!
"$BIN" tap --listen 127.0.0.1:$TAP_STATIC --upstream http://127.0.0.1:$STATIC >/dev/null 2>&1 & TAP_STATIC_PID=$!
# Two nginx: one serves the static body, the other only proxies, so its CPU is a proxy's alone.
source Benchmarks/nginx-conf.sh
# Every path answers 200 with the same body (an alias would answer the API's paths 404).
nginx_conf upstream "
  server {
    listen 127.0.0.1:$STATIC;
    root $WORK;
    location / { default_type application/json; rewrite ^ /body.json break; }
  }"
nginx_conf proxy "
  upstream simulator { server 127.0.0.1:$SIM; keepalive 64; }
  upstream static { server 127.0.0.1:$STATIC; keepalive 64; }
  server {
    listen 127.0.0.1:$NGX_SIM;
    location / { proxy_pass http://simulator; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }
  server {
    listen 127.0.0.1:$NGX_STATIC;
    location / { proxy_pass http://static; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
nginx -p "$WORK" -c "$WORK/upstream.conf"
nginx -p "$WORK" -c "$WORK/proxy.conf"
for port in $SIM $STATIC $TAP_SIM $TAP_STATIC $NGX_SIM $NGX_STATIC; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done
# The proxying nginx's one worker.
NGX_PID=$(pgrep -P "$(cat "$WORK/proxy.pid")" | head -1)

cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }  # user, system

run() { # port threads connections → "requests/s p50_ms p99_ms requests"; a run with errors or non-2xx answers stops the script
  wrk -t"$2" -c"$3" -d10s --latency -H "Authorization: Bearer $SECRET" "http://127.0.0.1:$1/v2/sites/Abcd1234/media/?page_length=1" |
    awk -v port="$1" '/Requests\/sec/ {rps=$2} /requests in/ {n=$1} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx|Socket errors/ {bad=$0}
         function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
         END { if (bad != "") { print "wrk on port " port ": " bad > "/dev/stderr"; exit 1 } printf "%s %.3f %.3f %s\n", rps, ms(p50), ms(p99), n }'
}

measure() { # name direct-port nginx-port tap-port tap-pid
  local name=$1 direct=$2 nginx_port=$3 tap_port=$4 tap_pid=$5
  R=$(run "$direct" 2 32); read -r D_RPS _ _ _ <<<"$R"
  local u0 s0 u1 s1
  read -r u0 s0 < <(cpu_ticks "$NGX_PID"); R=$(run "$nginx_port" 2 32); read -r N_RPS _ _ N_N <<<"$R"; read -r u1 s1 < <(cpu_ticks "$NGX_PID")
  N_USER=$(( u1 - u0 )) N_SYS=$(( s1 - s0 ))
  read -r u0 s0 < <(cpu_ticks "$tap_pid"); R=$(run "$tap_port" 2 32); read -r T_RPS _ _ T_N <<<"$R"; read -r u1 s1 < <(cpu_ticks "$tap_pid")
  T_USER=$(( u1 - u0 )) T_SYS=$(( s1 - s0 ))
  R=$(run "$direct" 1 1); read -r _ D1_P50 D1_P99 _ <<<"$R"
  R=$(run "$nginx_port" 1 1); read -r _ N1_P50 N1_P99 _ <<<"$R"
  R=$(run "$tap_port" 1 1); read -r _ T1_P50 T1_P99 _ <<<"$R"
  awk -v name="$name" -v d="$D_RPS" -v t="$T_RPS" -v n="$N_RPS" -v clk="$CLK" -v nu="$N_USER" -v ns="$N_SYS" -v tu="$T_USER" -v ts="$T_SYS" -v nn="$N_N" -v tn="$T_N" \
      -v dp50="$D1_P50" -v dp99="$D1_P99" -v tp50="$T1_P50" -v tp99="$T1_P99" -v np50="$N1_P50" -v np99="$N1_P99" 'BEGIN {
    # CPU ms per 1 000 requests, user and system apart: the system part is mostly the
    # loopback TCP both proxies pay; the user part is the code of each proxy.
    per = 1000 / clk; nus = nu * per / (nn / 1000); nss = ns * per / (nn / 1000); tus = tu * per / (tn / 1000); tss = ts * per / (tn / 1000)
    nms = nus + nss; tms = tus + tss
    printf "upstream: %s\n", name
    printf "  throughput, 32 connections   requests/s   share of direct\n"
    printf "  direct                       %10.0f   %15s\n", d, "1.00"
    printf "  through nginx                %10.0f   %15.2f\n", n, n/d
    printf "  through tap                  %10.0f   %15.2f   (%.2f of nginx)\n", t, t/d, t/n
    printf "  latency, 1 connection   p50 ms   p99 ms   added p50 ms   added p99 ms\n"
    printf "  direct                  %6.3f   %6.3f\n", dp50, dp99
    printf "  through nginx           %6.3f   %6.3f   %12.3f   %12.3f\n", np50, np99, np50-dp50, np99-dp99
    printf "  through tap             %6.3f   %6.3f   %12.3f   %12.3f   (%.3f ms beside nginx)\n", tp50, tp99, tp50-dp50, tp99-dp99, (tp50-dp50)-(np50-dp50)
    printf "  CPU per 1 000 requests   nginx %.1f ms   tap %.1f ms   (tap/nginx %.2f)\n", nms, tms, tms/nms
    printf "    user                   nginx %.1f ms   tap %.1f ms   (tap/nginx %.2f)\n", nus, tus, tus/nus
    printf "    system                 nginx %.1f ms   tap %.1f ms   (tap/nginx %.2f)\n\n", nss, tss, tss/nss
  }'
}

measure "static nginx, 600-byte JSON" $STATIC $NGX_STATIC $TAP_STATIC "$TAP_STATIC_PID"
measure "the simulator" $SIM $NGX_SIM $TAP_SIM "$TAP_SIM_PID"
R=$(run $SIM 2 32); read -r S_RPS _ _ _ <<<"$R"
printf "the simulator alone, 32 connections: %.0f requests/s\n" "$S_RPS"
for pid in "$TAP_STATIC_PID" "$TAP_SIM_PID"; do
  awk -v pid="$pid" '/VmRSS|VmHWM/ {printf "tap pid %s %s %s kB\n", pid, $1, $2}' "/proc/$pid/status"
done
