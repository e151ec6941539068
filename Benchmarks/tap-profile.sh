#!/usr/bin/env bash
# Where the tap's time goes (issue 15): `mapitop tap` in front of a static nginx (a 600-byte
# JSON), under wrk at 32 connections, sampled by perf for 8 s. Prints the share of samples in
# the kernel, in the tap's own code, in SwiftNIO, in the Swift runtime and standard library,
# and elsewhere (libc, Foundation), then the 25 hottest user-space symbols.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in wrk nginx perf; do
  if ! command -v "$tool" >/dev/null; then
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk nginx-light linux-perf >/dev/null
  fi
done
swift build -c release --product mapitop >/dev/null
BIN=.build/release/mapitop
WORK=$(mktemp -d)
chmod 755 "$WORK"  # nginx workers run as nobody when started by root
UPSTREAM=18494 TAP=18495
cleanup() {
  kill "${TAP_PID:-}" 2>/dev/null || true
  nginx -p "$WORK" -c "$WORK/upstream.conf" -s stop 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

head -c 600 /dev/zero | tr '\0' ' ' | sed 's/^ \{12\}/{"media":[]}/' > "$WORK/body.json"
cat > "$WORK/upstream.conf" <<CONF
worker_processes 1;
pid $WORK/upstream.pid;
error_log $WORK/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$UPSTREAM; root $WORK; location / { default_type application/json; rewrite ^ /body.json break; } }
}
CONF
nginx -p "$WORK" -c "$WORK/upstream.conf"
"$BIN" tap --listen 127.0.0.1:$TAP --upstream http://127.0.0.1:$UPSTREAM >/dev/null 2>&1 & TAP_PID=$!
for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$TAP/" && break; sleep 0.1; done
URL="http://127.0.0.1:$TAP/v2/sites/Abcd1234/media/?page_length=1"
wrk -t2 -c32 -d2s -H "Authorization: Bearer bench-secret-not-real" "$URL" >/dev/null
perf record -F 499 -g -o "$WORK/perf.data" -p "$TAP_PID" -- sleep 8 >/dev/null 2>&1 &
PERF_PID=$!
wrk -t2 -c32 -d10s -H "Authorization: Bearer bench-secret-not-real" "$URL" | awk '/Requests\/sec/ {print "tap under perf: " $2 " requests/s"}'
wait "$PERF_PID"
perf report -i "$WORK/perf.data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep '%' > "$WORK/self.txt"
awk '{ p = $1; sub("%", "", p)
       if ($2 ~ /kernel/) k += p
       else if ($0 ~ /Collectors|ManagementAPI|7mapitop|6Screen/) o += p
       else if ($0 ~ /NIO|llhttp/) n += p
       else if ($0 ~ /swift|Swift|\$ss|\$sS/) r += p
       else e += p }
     END { printf "share of samples: kernel %.0f%%, the tap %.0f%%, SwiftNIO %.0f%%, Swift runtime and stdlib %.0f%%, other %.0f%%\n", k, o, n, r, e }' "$WORK/self.txt"
echo "hottest user-space symbols:"
grep -v '\[k\]' "$WORK/self.txt" | head -25 | awk '{ printf "  %6s  %-22s %s\n", $1, $2, $4 }' | swift demangle --simplified | cut -c1-150
