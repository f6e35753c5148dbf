#!/usr/bin/env bash
# Cases: with 1,000,000 cases over 3 years across the 17 communities of the
# demo street (`linli cases generate`), measures case creation per second
# with 1 and 16 clients (POST /api/v1/cases, each a write transaction with
# routing, deadlines, two history rows and the dashboard counters), the
# dashboard aggregates for the street and for one community (goal < 200 ms
# each), and Open311 requests.json with filters. Loopback only; see
# bench/README.md.
#
#   bench/cases/run.sh          # env: DURATION=10s COUNT=1000000
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja wrk curl python3 sqlite3 timeout

DURATION=${DURATION:-10s}
COUNT=${COUNT:-1000000}
COMMUNITY=310105004017
STREET=310105004
TEMPLATE=$DATA/cases-template.db
DB=$DATA/cases.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"

token_of() {   # token_of USER PORT
    curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"linli2026\"}" \
        "http://127.0.0.1:$2/api/v1/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# -- the template: the demo street and COUNT cases over three years
if [ ! -s "$TEMPLATE" ] || [ "$(cat "$TEMPLATE.made-by" 2>/dev/null)" != "$LINLI_SHA $COUNT" ]; then
    echo "== building $TEMPLATE" >&2
    rm -f "$TEMPLATE" "$TEMPLATE"-wal "$TEMPLATE"-shm "$TEMPLATE.key" "$TEMPLATE.made-by"
    timeout 300 "$LINLI" demo --db "$TEMPLATE" --residents 20000 >/dev/null || die "demo failed"
    t0=$(date +%s.%N)
    timeout 900 "$LINLI" cases generate --db "$TEMPLATE" --street "$STREET" --count "$COUNT" --years 3 >&2 ||
        die "generate failed"
    GEN_S=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
    sqlite3 "$TEMPLATE" "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;" >/dev/null
    echo "$GEN_S" >"$TEMPLATE.gen-seconds"
    echo "$LINLI_SHA $COUNT" >"$TEMPLATE.made-by"
fi
GEN_S=$(cat "$TEMPLATE.gen-seconds" 2>/dev/null || echo "?")
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEMPLATE" "$DB"
cp "$TEMPLATE.key" "$DB.key"
rm -rf "$DB.files"
N_CASES=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
N_STAT=$(sqlite3 "$DB" "SELECT count(*) FROM case_stat")
BUILDING=$(sqlite3 "$DB" "SELECT id FROM building WHERE community = '$COMMUNITY' ORDER BY id LIMIT 1")

PORT=$(free_port 18900) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-cases.log"
BASE="http://127.0.0.1:$PORT"
RESIDENT=$(token_of resident "$PORT") || die "login failed"
STAFF=$(token_of staff "$PORT")
STREET_TOKEN=$(token_of street "$PORT")

# -- creates per second
declare -A CREATE_RPS CREATE_P99 CREATE_BAD CREATE_ROWS
for clients in 1 16; do
    threads=$((clients < 2 ? 1 : 2))
    lua=$DATA/cases-create-$clients.lua
    wrk_lua "$lua" "$RESIDENT"
    cat >>"$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category":"corridor_clutter","description":"压测：楼道堆物","building_id":$BUILDING}'
LUA
    before=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
    WRK_ARGS=(-t"$threads" -c"$clients" -d"$DURATION" --latency)
    echo "== wrk ${WRK_ARGS[*]} POST /api/v1/cases" >&2
    run_wrk "cases create, $clients clients" "$BASE/api/v1/cases" "$lua" "$LINLI_PID"
    after=$(sqlite3 "$DB" "SELECT count(*) FROM cases")
    CREATE_RPS[$clients]=$RPS; CREATE_P99[$clients]=$P99; CREATE_BAD[$clients]=$BAD
    CREATE_ROWS[$clients]=$((after - before))
done

# -- dashboard and Open311: the median of 21 requests each, timed by curl
median_ms() {   # median_ms TOKEN PATH
    local i
    for i in $(seq 21); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' ${1:+-H "Authorization: Bearer $1"} "$BASE$2"
    done | python3 -c '
import sys
rows = [l.split() for l in sys.stdin]
bad = [r for r in rows if r[0] != "200"]
if bad: sys.exit("non-200: " + bad[0][0])
t = sorted(float(r[1]) * 1000 for r in rows)
print(f"{t[len(t)//2]:.1f}")'
}
FROM=$(python3 -c 'import datetime; d = datetime.date.today(); print(f"{d.year - 3}-{d.month:02d}")')
STATS_STREET=$(median_ms "$STREET_TOKEN" "/api/v1/cases/stats?community=$STREET&from=$FROM") || die "stats street"
STATS_COMM=$(median_ms "$STAFF" "/api/v1/cases/stats?community=$COMMUNITY&from=$FROM") || die "stats community"
STATS_STREET_YEAR=$(median_ms "$STREET_TOKEN" "/api/v1/cases/stats?community=$STREET") || die "stats street year"
LIST_STREET=$(median_ms "$STREET_TOKEN" "/api/v1/cases?community=$STREET&state=open&per_page=20") || die "list"
LIST_OVERDUE=$(median_ms "$STAFF" "/api/v1/cases?overdue=1&per_page=20") || die "overdue list"
O311="/open311/v2/requests.json?jurisdiction_id=$COMMUNITY"
O311_DEFAULT=$(median_ms "" "$O311") || die "open311"
O311_FILTERED=$(median_ms "" "$O311&status=open&service_code=noise,parking") || die "open311 filtered"
START=$(python3 -c 'import datetime; print((datetime.date.today() - datetime.timedelta(days=400)).isoformat())')
END=$(python3 -c 'import datetime; print((datetime.date.today() - datetime.timedelta(days=340)).isoformat())')
O311_RANGE=$(median_ms "" "$O311&start_date=${START}T00:00:00%2B08:00&end_date=${END}T00:00:00%2B08:00&status=closed") ||
    die "open311 range"
O311_N=$(curl -s "$BASE$O311" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')

WRK_ARGS=(-t2 -c16 -d"$DURATION" --latency)
wrk_lua "$DATA/cases-o311.lua"
echo "== wrk ${WRK_ARGS[*]} GET $O311&status=open&service_code=noise" >&2
run_wrk "open311 requests.json" "$BASE$O311&status=open&service_code=noise" "$DATA/cases-o311.lua" "$LINLI_PID"
O311_RPS=$RPS; O311_P99=$P99

cat <<EOF
linli $LINLI_REV (binary sha256 $LINLI_SHA); linli serve --threads 2; wrk -d$DURATION
database: $N_CASES cases ($COUNT generated in ${GEN_S} s), $N_STAT dashboard counter rows
creates/s, 1 client:   ${CREATE_RPS[1]} (p99 ${CREATE_P99[1]} ms, ${CREATE_ROWS[1]} rows written, bad ${CREATE_BAD[1]})
creates/s, 16 clients: ${CREATE_RPS[16]} (p99 ${CREATE_P99[16]} ms, ${CREATE_ROWS[16]} rows written, bad ${CREATE_BAD[16]})
dashboard, street, 3 years:     ${STATS_STREET} ms (median of 21)
dashboard, street, 12 months:   ${STATS_STREET_YEAR} ms
dashboard, community, 3 years:  ${STATS_COMM} ms
case list, street, open, page 1: ${LIST_STREET} ms
case list, overdue, community:   ${LIST_OVERDUE} ms
open311 requests.json, 90 days ($O311_N results): ${O311_DEFAULT} ms
open311 requests.json, status=open&service_code=noise,parking: ${O311_FILTERED} ms
open311 requests.json, a 60-day window a year ago, closed: ${O311_RANGE} ms
open311 requests.json status=open&service_code=noise, 16 clients: $O311_RPS req/s (p99 $O311_P99 ms)
EOF
