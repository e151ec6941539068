#!/usr/bin/env bash
# The tap as an intercepting HTTPS proxy beside mitmproxy, side by side in one run:
#   calls/s     one curl makes N calls one after another over ONE kept-alive connection through
#               the proxy (CONNECT api.jwplayer.com:443, TLS with the proxy's own authority,
#               requests forwarded to a static nginx upstream over plain HTTP);
#   added p50   the p50 of those calls' times minus the p50 of the same calls straight to nginx;
#   CPU         the proxy process's user+system time over that run, per 1 000 calls;
#   tunnel      a 100 MiB upload to an nginx over TLS through the tap as a blind tunnel (CONNECT
#               localhost:PORT, not decrypted: curl verifies nginx's own certificate), against the
#               same upload made directly.
# Targets (the issue): at least 10x mitmproxy's calls/s, at most a tenth of its CPU per call, the
# tunnel at least 0.8 of direct. mitmproxy 11 from pip, regular mode, the same upstream and the
# same client (curl, HTTP/1.1 on both so neither gets HTTP/2). One run; every figure is printed
# with its ratio, as machines here are noisy.
#
#   MAPITOP_BIN=/path  use that binary instead of building .build/release/mapitop
#   ONLY=mitmproxy     skip everything of mapitop's (no build): mitmproxy, direct and the upload
#   N_MAPITOP=5000 N_MITMPROXY=1000 N_DIRECT=5000   calls per run (mitmproxy makes ~400 calls/s
#                      here, so fewer calls keep its run to a few seconds as well)
#   N_PIPE_TAP=20000 N_PIPE_MITM=2000 DEPTH=8   the pipelined runs (Benchmarks/pipelined-client.py)
#   UPLOAD_RUNS=5      uploads of each kind; the best is kept (one takes ~0.1 s, so single runs jitter)
# The script exits 0 whether or not the targets are met; it says which are.
set -euo pipefail
[ -n "${MAPITOP_BIN:-}" ] && MAPITOP_BIN=$(realpath "$MAPITOP_BIN")  # before the cd below
cd "$(dirname "$0")/.."

ONLY=${ONLY:-}
case "$ONLY" in "" | mitmproxy) ;; *) echo "ONLY is either empty or mitmproxy" >&2; exit 2 ;; esac
N_MAPITOP=${N_MAPITOP:-5000} N_MITMPROXY=${N_MITMPROXY:-1000} N_DIRECT=${N_DIRECT:-5000}
N_PIPE_TAP=${N_PIPE_TAP:-20000} N_PIPE_MITM=${N_PIPE_MITM:-2000} DEPTH=${DEPTH:-8}
UPLOAD_RUNS=${UPLOAD_RUNS:-5}
MITMPROXY_VERSION=11.0.2
# Outside the work tree, so the checkout stays clean and the venv survives between runs.
VENV=${MITMPROXY_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/mapitop-benchmarks/mitmproxy-$MITMPROXY_VERSION}

command -v nginx >/dev/null || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo; $SUDO apt-get update -qq; DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx-light >/dev/null; }
for tool in curl openssl python3 getconf; do command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done
if ! "$VENV/bin/mitmdump" --version 2>/dev/null | grep -q "^Mitmproxy: $MITMPROXY_VERSION\$"; then
  rm -rf "$VENV"; mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "mitmproxy==$MITMPROXY_VERSION"
fi
if [ "$ONLY" != mitmproxy ]; then
  if [ -n "${MAPITOP_BIN:-}" ]; then BIN=$MAPITOP_BIN; else swift build -c release --product mapitop >/dev/null; BIN=.build/release/mapitop; fi
fi

# A proxy from the environment would reroute the direct calls, and NO_PROXY would take
# precedence over --proxy for the calls through a proxy; a CA bundle from it would be ignored
# (--cacert wins) but is dropped too so that nothing here depends on the caller's shell.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY CURL_CA_BUNDLE SSL_CERT_FILE

WORK=$(mktemp -d)
chmod 755 "$WORK"  # nginx workers run as nobody when started by root
export XDG_STATE_HOME=$WORK/state  # the tap's authority is made here, not in the caller's home
STATIC=18411 TLS=18412 TAP=18413 MITM=18414
SECRET=bench-secret-not-real
API="https://api.jwplayer.com/v2/sites/abcd1234/media/"
CLK=$(getconf CLK_TCK)
TAP_CA=$XDG_STATE_HOME/mapitop/ca/ca.pem
MITM_CA=$WORK/mitmproxy/mitmproxy-ca-cert.pem
cleanup() {
  local pid
  for pid in "${TAP_PID:-}" "${MITM_PID:-}"; do
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true  # gone before its folder is removed
  done
  [ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -s stop 2>/dev/null || true
  for _ in $(seq 50); do [ -f "$WORK/nginx.pid" ] || break; sleep 0.1; done  # nginx removes its pid file on exit
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # so that the EXIT trap runs on ^C too

die() { # message [log file whose tail helps]
  echo "intercept-vs-mitmproxy: $1" >&2
  [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 20 "$2" >&2
  exit 1
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port [pid of the server, which must stay alive] [log]: bounded, 10 s
  for _ in $(seq 100); do
    port_open "$1" && return 0
    [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || die "the server for port $1 exited" "${3:-}"
    sleep 0.1
  done
  die "nothing listens on port $1 after 10 s" "${3:-}"
}
for port in $STATIC $TLS $TAP $MITM; do
  if port_open $port; then die "port $port is already in use"; fi
done

# The upstream: every path answers 200 with the same 600-byte JSON. A second server, over TLS
# with a self-signed certificate for localhost, takes the upload: it reads the whole body into
# memory (proxy_pass needs it before it starts; request buffering is on) and only then answers,
# from the static server, without passing the body on. Checked when this script was written: no
# answer comes while a body is incomplete; and curl's size_upload is checked on every upload.
head -c 600 /dev/zero | tr '\0' ' ' | sed 's/^ \{12\}/{"media":[]}/' > "$WORK/body.json"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' -keyout "$WORK/tls.key" -out "$WORK/tls.pem" 2>/dev/null
source Benchmarks/nginx-conf.sh
nginx_conf nginx "
  server {
    listen 127.0.0.1:$STATIC;
    root $WORK;
    location / { default_type application/json; rewrite ^ /body.json break; }
  }
  server {
    listen 127.0.0.1:$TLS ssl;
    ssl_certificate $WORK/tls.pem;
    ssl_certificate_key $WORK/tls.key;
    root $WORK;
    location / { default_type application/json; rewrite ^ /body.json break; }
    location = /upload {
      client_max_body_size 0;
      client_body_buffer_size 128m;   # the whole body in memory: no disk in the figure
      proxy_pass_request_body off;
      proxy_set_header Content-Length \"\";
      proxy_method GET;
      proxy_pass http://127.0.0.1:$STATIC/uploaded;
    }
  }"
nginx -p "$WORK" -c "$WORK/nginx.conf"
wait_port $STATIC "" "$WORK/nginx-error.log"
wait_port $TLS "" "$WORK/nginx-error.log"

# mitmproxy in regular mode. connection_strategy=lazy: it would otherwise connect to
# api.jwplayer.com at CONNECT time; map-remote sends those requests to the local nginx instead.
# ignore_hosts makes CONNECT localhost:… a blind tunnel, like the tap's, for a reference figure.
"$VENV/bin/mitmdump" -q --listen-host 127.0.0.1 -p $MITM --set confdir="$WORK/mitmproxy" \
  --set connection_strategy=lazy --ignore-hosts '^localhost:' \
  --map-remote "|https://api.jwplayer.com|http://127.0.0.1:$STATIC" >"$WORK/mitmdump.log" 2>&1 &
MITM_PID=$!
if [ "$ONLY" != mitmproxy ]; then
  "$BIN" tap --listen 127.0.0.1:$TAP --upstream http://127.0.0.1:$STATIC >"$WORK/tap.log" 2>&1 &
  TAP_PID=$!
fi
wait_port $MITM $MITM_PID "$WORK/mitmdump.log"
if [ -n "${TAP_PID:-}" ]; then wait_port $TAP $TAP_PID "$WORK/tap.log"; fi

call() { # proxy-port ca [curl options…] → the HTTP code of one call
  local port=$1 ca=$2; shift 2
  curl -s -o /dev/null --max-time 10 --http1.1 --proxy "http://127.0.0.1:$port" --cacert "$ca" "$@" \
    -H "Authorization: Bearer $SECRET" -w '%{http_code}' "${API}?page=0" || true
}
warm_up() { # name proxy-port ca pid log: one call that must verify and answer 200, bounded
  # An authority may be made only at the first CONNECT, so the first call does not verify;
  # the loop then waits for the file and a verified call.
  call "$2" /dev/null -k >/dev/null
  for _ in $(seq 50); do
    kill -0 "$4" 2>/dev/null || die "$1 exited" "$5"
    [ -s "$3" ] && [ "$(call "$2" "$3")" = 200 ] && return 0
    sleep 0.2
  done
  die "no verified 200 through $1 after 10 s (authority $3)" "$5"
}
warm_up mitmproxy $MITM "$MITM_CA" $MITM_PID "$WORK/mitmdump.log"
if [ -n "${TAP_PID:-}" ]; then warm_up "the tap" $TAP "$TAP_CA" $TAP_PID "$WORK/tap.log"; fi

cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; }  # user, system (all threads)
p50() { sort -n | awk '{v[NR] = $1} END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

calls() { # name n pid url curl-options… → "calls/s p50_s user_ticks system_ticks"
  # One curl, N globbed URLs, one connection: curl keeps it alive between the transfers and,
  # with a proxy, never resolves api.jwplayer.com itself (this machine may have no DNS).
  local name=$1 n=$2 pid=$3 url=$4 u0=0 s0=0 u1=0 s1=0 t0 t1 out=$WORK/calls-$1.txt; shift 4
  [ -n "$pid" ] && read -r u0 s0 < <(cpu_ticks "$pid")
  t0=$(date +%s%N)
  curl -sS --max-time 600 --http1.1 -o /dev/null -H "Authorization: Bearer $SECRET" "$@" \
    -w '%{http_code} %{num_connects} %{size_download} %{time_total}\n' "$url?page=[1-$n]" > "$out" ||
    die "curl failed through $name"
  t1=$(date +%s%N)
  [ -n "$pid" ] && read -r u1 s1 < <(cpu_ticks "$pid")
  # Every call 200 with the whole body, and one connection made for all of them.
  awk -v n="$n" -v name="$name" '$1 == 200 && $3 == 600 {ok++} {c += $2}
    END { if (ok != n || NR != n || c != 1) { printf "%s: %d of %d calls 200 with 600 bytes, %d lines, %d connections made (want 1)\n", name, ok, n, NR, c > "/dev/stderr"; exit 1 } }' "$out" ||
    die "the run through $name is not what it should be"
  echo "$(awk -v n="$n" -v ns=$((t1 - t0)) 'BEGIN {printf "%.1f", n / (ns / 1e9)}') $(awk '{print $4}' "$out" | p50) $((u1 - u0)) $((s1 - s0))"
}

upload_once() { # [proxy-port] → MB/s (10^6 bytes) of one upload, checked whole
  local proxy=() r code size secs
  [ -n "${1:-}" ] && proxy=(--proxy "http://127.0.0.1:$1")
  r=$(curl -sS --max-time 120 --http1.1 -o /dev/null "${proxy[@]}" --cacert "$WORK/tls.pem" -T "$WORK/upload.bin" \
    -w '%{http_code} %{size_upload} %{time_total}' "https://localhost:$TLS/upload") || die "upload failed ${1:+through port $1}"
  read -r code size secs <<<"$r"
  [ "$code" = 200 ] && [ "$size" = "$UPLOAD_BYTES" ] || die "upload ${1:+through port $1}: HTTP $code, $size of $UPLOAD_BYTES bytes sent"
  awk -v b="$size" -v s="$secs" 'BEGIN {printf "%.1f", b / s / 1e6}'
}
best() { sort -n | tail -1; }

# Calls. Direct first: the client's own floor for the added p50. The same curl to nginx over
# TLS, no proxy, is the client's ceiling in calls/s: through either proxy it does no less work
# (TLS and HTTP/1.1 on one connection), so a proxy near that figure is held back by curl.
# Each result is taken into R first, so that a failed run stops the script (set -e).
R=$(calls direct "$N_DIRECT" "" "http://127.0.0.1:$STATIC/v2/sites/abcd1234/media/")
read -r D_RPS D_P50 _ _ <<<"$R"
R=$(calls ceiling "$N_DIRECT" "" "https://localhost:$TLS/v2/sites/abcd1234/media/" --cacert "$WORK/tls.pem")
read -r C_RPS _ _ _ <<<"$R"
if [ -n "${TAP_PID:-}" ]; then
  R=$(calls "the tap" "$N_MAPITOP" "$TAP_PID" "$API" --proxy "http://127.0.0.1:$TAP" --cacert "$TAP_CA")
  read -r T_RPS T_P50 T_U T_S <<<"$R"
fi
R=$(calls mitmproxy "$N_MITMPROXY" "$MITM_PID" "$API" --proxy "http://127.0.0.1:$MITM" --cacert "$MITM_CA")
read -r M_RPS M_P50 M_U M_S <<<"$R"

# Throughput of the connection itself: the same requests pipelined (DEPTH in flight) by one
# small Python client, the same for both proxies, so neither waits on a client round trip.
pipelined() { # port ca n → calls/s
  python3 Benchmarks/pipelined-client.py "$1" "$2" "$3" "$DEPTH" | awk '{print $3}'
}
if [ -n "${TAP_PID:-}" ]; then P_TAP=$(pipelined "$TAP" "$TAP_CA" "$N_PIPE_TAP"); fi
P_MITM=$(pipelined "$MITM" "$MITM_CA" "$N_PIPE_MITM")

# Uploads, the kinds taking turns so that a slow moment of the machine hits them alike.
UPLOAD_BYTES=$((100 * 1024 * 1024))
head -c "$UPLOAD_BYTES" /dev/urandom > "$WORK/upload.bin"
UD="" UT="" UM=""
for _ in $(seq "$UPLOAD_RUNS"); do
  R=$(upload_once); UD="$UD $R"
  if [ -n "${TAP_PID:-}" ]; then R=$(upload_once $TAP); UT="$UT $R"; fi
  R=$(upload_once $MITM); UM="$UM $R"
done

# Report. CPU ms per 1 000 calls = ticks × (1000 / CLK_TCK) ms / (calls / 1000).
awk -v tap="$([ -n "${TAP_PID:-}" ] && echo 1 || echo 0)" -v clk="$CLK" -v version="$MITMPROXY_VERSION" \
    -v nd="$N_DIRECT" -v nt="$N_MAPITOP" -v nm="$N_MITMPROXY" \
    -v drps="$D_RPS" -v dp50="$D_P50" -v crps="$C_RPS" \
    -v trps="${T_RPS:-0}" -v tp50="${T_P50:-0}" -v tu="${T_U:-0}" -v ts="${T_S:-0}" \
    -v mrps="$M_RPS" -v mp50="$M_P50" -v mu="$M_U" -v ms="$M_S" \
    -v ud_all="$UD" -v ut_all="$UT" -v um_all="$UM" -v ptap="${P_TAP:-0}" -v pmitm="$P_MITM" -v depth="$DEPTH" '
function best(list,   a, n, i, b) { n = split(list, a, " "); b = 0; for (i = 1; i <= n; i++) if (a[i] + 0 > b) b = a[i] + 0; return b }
function verdict(ok) { return ok ? "met" : "NOT met" }
BEGIN {
  per = 1000 / clk  # ms per tick
  mcu = mu * per / (nm / 1000); mcs = ms * per / (nm / 1000); mcpu = mcu + mcs
  tcu = tu * per / (nt / 1000); tcs = ts * per / (nt / 1000); tcpu = tcu + tcs
  madd = (mp50 - dp50) * 1000; tadd = (tp50 - dp50) * 1000
  ud = best(ud_all); ut = best(ut_all); um = best(um_all); runs = split(ud_all, x, " ")
  printf "calls over one kept-alive connection, curl, HTTP/1.1      calls   calls/s   p50 ms   added p50 ms\n"
  printf "  direct to nginx, plain HTTP                            %7d %9.0f %8.3f\n", nd, drps, dp50 * 1000
  printf "  direct to nginx over TLS (ceiling of this client)      %7d %9.0f\n", nd, crps
  if (tap) printf "  through the tap                                        %7d %9.0f %8.3f %14.3f\n", nt, trps, tp50 * 1000, tadd
  printf "  through mitmproxy %-36s %7d %9.0f %8.3f %14.3f\n", version, nm, mrps, mp50 * 1000, madd
  printf "the same connection, %d requests in flight (pipelined), Python client      calls/s\n", depth
  if (tap) printf "  through the tap                                                      %9.0f\n", ptap
  printf "  through mitmproxy %-50s %9.0f\n", version, pmitm
  printf "CPU per 1 000 calls, the proxy process     total ms    user ms   system ms\n"
  if (tap) printf "  the tap                                %9.1f  %9.1f   %9.1f\n", tcpu, tcu, tcs
  printf "  mitmproxy                              %9.1f  %9.1f   %9.1f\n", mcpu, mcu, mcs
  printf "100 MiB upload to nginx over TLS, best of %d     MB/s   share of direct   all runs\n", runs
  printf "  direct                                  %8.1f   %15s  %s\n", ud, "1.00", ud_all
  if (tap) printf "  through the tap, blind tunnel           %8.1f   %15.2f  %s\n", ut, ut / ud, ut_all
  printf "  through mitmproxy, blind tunnel         %8.1f   %15.2f  %s\n", um, um / ud, um_all
  if (!tap) { print "ONLY=mitmproxy: the tap was not run, no target judged"; exit }
  rc = (pmitm > 0) ? ptap / pmitm : 0; rcpu = tcpu / mcpu; rt = ut / ud
  printf "ratios                                 value   target\n"
  printf "  calls/s pipelined, tap / mitmproxy %7.2f   >= 10    %s\n", rc, verdict(rc >= 10)
  printf "  calls/s one at a time (curl)      %8.2f   (none; round trips of the client)\n", (mrps > 0) ? trps / mrps : 0
  printf "  CPU per call, tap / mitmproxy     %8.3f   <= 0.1   %s\n", rcpu, verdict(rcpu <= 0.1)
  printf "  upload, tunnel / direct           %8.2f   >= 0.8   %s\n", rt, verdict(rt >= 0.8)
  printf "  added p50, tap / mitmproxy        %8.3f   (none)\n", (madd > 0) ? tadd / madd : 0
  printf "  calls/s, tap / client ceiling     %8.2f   (none; near 1, curl is the limit, not the tap)\n", trps / crps
  printf "targets met: %d of 3\n", (rc >= 10) + (rcpu <= 0.1) + (rt >= 0.8)
}'
