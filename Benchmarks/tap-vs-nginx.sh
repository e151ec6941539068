#!/usr/bin/env bash
# The tap's overhead, side by side in one run: the same wrk load against the simulator
# directly, through `mapitop tap`, and through nginx as a keep-alive reverse proxy.
# Throughput: 2 threads, 32 connections, 10 s (saturated, so latencies there are mostly
# queueing). Added latency: 1 connection, calls one after another, so p50/p99 differences
# are the proxy's own time per call. Figures are ratios to the direct run of the same
# moment; machines here are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk nginx-light >/dev/null; }
done
swift build -c release --product mapitop >/dev/null
BIN=.build/release/mapitop
WORK=$(mktemp -d)
SIM=18391 TAP=18392 NGX=18393
SECRET=bench-secret-not-real
cleanup() { kill "$SIM_PID" "$TAP_PID" 2>/dev/null || true; nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$BIN" simulate --port $SIM --token bench=$SECRET --quota-per-minute 100000000 >/dev/null 2>&1 & SIM_PID=$!
"$BIN" tap --listen 127.0.0.1:$TAP --upstream http://127.0.0.1:$SIM >/dev/null 2>&1 & TAP_PID=$!
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream simulator { server 127.0.0.1:$SIM; keepalive 64; }
  server {
    listen 127.0.0.1:$NGX;
    location / { proxy_pass http://simulator; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
nginx -p "$WORK" -c "$WORK/nginx.conf"
for port in $SIM $TAP $NGX; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

run() { # port [threads connections] → "requests/s p50_ms p99_ms"
  wrk -t"${2:-2}" -c"${3:-32}" -d10s --latency -H "Authorization: Bearer $SECRET" "http://127.0.0.1:$1/v2/sites/Abcd1234/media/?page_length=1" |
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
         function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
         END { printf "%s %.3f %.3f\n", rps, ms(p50), ms(p99) }'
}
read -r D_RPS D_P50 D_P99 < <(run $SIM)
read -r T_RPS T_P50 T_P99 < <(run $TAP)
read -r N_RPS N_P50 N_P99 < <(run $NGX)
read -r _ D1_P50 D1_P99 < <(run $SIM 1 1)
read -r _ T1_P50 T1_P99 < <(run $TAP 1 1)
read -r _ N1_P50 N1_P99 < <(run $NGX 1 1)
awk -v d="$D_RPS" -v t="$T_RPS" -v n="$N_RPS" 'BEGIN {
  printf "throughput, 32 connections   requests/s   share of direct\n"
  printf "direct                       %10.0f   %15s\n", d, "1.00"
  printf "through tap                  %10.0f   %15.2f\n", t, t/d
  printf "through nginx                %10.0f   %15.2f\n", n, n/d
  printf "tap throughput as a share of nginx: %.2f\n\n", t/n
}'
awk -v dp50="$D1_P50" -v dp99="$D1_P99" -v tp50="$T1_P50" -v tp99="$T1_P99" -v np50="$N1_P50" -v np99="$N1_P99" 'BEGIN {
  printf "latency, 1 connection   p50 ms   p99 ms   added p50 ms   added p99 ms\n"
  printf "direct                  %6.3f   %6.3f\n", dp50, dp99
  printf "through tap             %6.3f   %6.3f   %12.3f   %12.3f\n", tp50, tp99, tp50-dp50, tp99-dp99
  printf "through nginx           %6.3f   %6.3f   %12.3f   %12.3f\n", np50, np99, np50-dp50, np99-dp99
}'
