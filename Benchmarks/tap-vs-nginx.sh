#!/usr/bin/env bash
# The tap's overhead, side by side in one run: the same wrk load (2 threads, 32
# connections, 10 s, a 600-byte-class JSON answer) against the simulator directly, through
# `mapitop tap`, and through nginx as a keep-alive reverse proxy. Figures are ratios to
# the direct run of the same moment; machines here are noisy.
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

run() { # port → "requests/s p50_ms p99_ms"
  wrk -t2 -c32 -d10s --latency -H "Authorization: Bearer $SECRET" "http://127.0.0.1:$1/v2/sites/Abcd1234/media/?page_length=1" |
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
         function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
         END { printf "%s %.3f %.3f\n", rps, ms(p50), ms(p99) }'
}
read -r D_RPS D_P50 D_P99 < <(run $SIM)
read -r T_RPS T_P50 T_P99 < <(run $TAP)
read -r N_RPS N_P50 N_P99 < <(run $NGX)
awk -v d="$D_RPS" -v t="$T_RPS" -v n="$N_RPS" -v dp50="$D_P50" -v dp99="$D_P99" -v tp50="$T_P50" -v tp99="$T_P99" -v np50="$N_P50" -v np99="$N_P99" 'BEGIN {
  printf "                requests/s   share of direct   p50 ms   p99 ms   added p50   added p99\n"
  printf "direct          %10.0f   %15s   %6.2f   %6.2f\n", d, "1.00", dp50, dp99
  printf "through tap     %10.0f   %15.2f   %6.2f   %6.2f   %9.2f   %9.2f\n", t, t/d, tp50, tp99, tp50-dp50, tp99-dp99
  printf "through nginx   %10.0f   %15.2f   %6.2f   %6.2f   %9.2f   %9.2f\n", n, n/d, np50, np99, np50-dp50, np99-dp99
  printf "tap throughput as a share of nginx: %.2f\n", t/n
}'
