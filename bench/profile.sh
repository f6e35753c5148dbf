#!/usr/bin/env bash
# Where the server's time goes on one endpoint: runs linli on the api benchmark's
# database (bench/api/run.sh builds it), loads it with wrk and samples it with
# perf (cpu-clock, DWARF call graphs; hardware counters are not available in
# this VM), then prints the inclusive profile and syscall counts per request.
#
#   bench/profile.sh [PATH]     # default /api/v1/residents/5000; env: SECONDS_=8
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need ninja wrk curl python3 perf strace timeout

PATH_Q=${1:-/api/v1/residents/5000}
DUR=${SECONDS_:-8}
DB=$DATA/api-100000.db
[ -s "$DB" ] || die "no $DB: run bench/api/run.sh first"
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
PORT=$(free_port 18800) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-profile.log"
TOKEN=$(login "$PORT") || die "login failed"
wrk_lua "$DATA/profile.lua" "$TOKEN"
URL=http://127.0.0.1:$PORT$PATH_Q
timeout 5 wrk -t1 -c8 -d2s -s "$DATA/profile.lua" "$URL" >/dev/null   # warm up

echo "== perf record -p $LINLI_PID during wrk ${WRK_ARGS[*]/10s/${DUR}s} $URL" >&2
timeout $((DUR + 30)) perf record -q -F 499 -e cpu-clock --call-graph dwarf,16384 \
    -p "$LINLI_PID" -o "$DATA/perf.data" -- sleep "$DUR" 2>/dev/null &
PERF=$!
BENCH_PIDS+=("$PERF")
sleep 0.3
timeout $((DUR + 20)) wrk -t2 -c64 -d"${DUR}s" --latency -s "$DATA/profile.lua" "$URL" |
    grep -E 'Requests/sec|50%|99%'
wait "$PERF" || true

echo "== strace -c, 3 s at -c8"
timeout 20 strace -f -c -p "$LINLI_PID" -o "$DATA/strace.txt" &
ST=$!
BENCH_PIDS+=("$ST")
sleep 1
N=$(timeout 10 wrk -t1 -c8 -d3s -s "$DATA/profile.lua" "$URL" | awk '/requests in/ {print $1}')
kill -INT "$ST" 2>/dev/null || true
wait "$ST" 2>/dev/null || true
awk -v n="$N" '$1 ~ /^[0-9.]+$/ && NF >= 5 {printf "  %-12s %6.2f per request\n", $NF, $4 / n}' "$DATA/strace.txt" | head -8

echo "== inclusive profile (user space, top 45)"
perf report -i "$DATA/perf.data" --children --sort sym --stdio -g none 2>/dev/null |
    grep '%' | grep -v '\[k\]' | grep -v ' 0x0000' | head -45
