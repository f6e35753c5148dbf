#!/usr/bin/env bash
# Community statistics on the 1,000,000-resident demo: how long
# GET /api/v1/stats/community/{code} takes for the staff's community and for
# the whole street, and for comparison a plain count(*) of that community's
# residents in the sqlite3 shell. See bench/README.md.
#
#   bench/stats/run.sh          # env: RESIDENTS=1000000 RUNS=9 KEEP_DB=1 (keeps the db for the next run)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja curl python3

RESIDENTS=${RESIDENTS:-1000000}
RUNS=${RUNS:-9}
COMMUNITY=310105004017
STREET=310105004
DB=$DATA/stats-$RESIDENTS.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
demo_db "$DB" "$RESIDENTS"
# a database made by an older binary gets the new schema (and its counters filled) here
T0=$(date +%s.%N)
MIGRATED=$("$LINLI" migrate --db "$DB")
MIGRATE_S=$(python3 -c "import sys; print('%.1f' % ($(date +%s.%N) - $T0))")

PORT=$(free_port 18750) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-stats.log"
BASE=http://127.0.0.1:$PORT/api/v1

NOCACHE=1   # every request made afresh, never from the registry cache
STAFF=$(login "$PORT") || die "login staff failed"
STREET_TOKEN=$(login "$PORT" street) || die "login street failed"
wait_quiet 30
time_get community "$STAFF" "/stats/community/$COMMUNITY"
C_BEST=$BEST; C_MEDIAN=$MEDIAN
time_get street "$STREET_TOKEN" "/stats/community/$STREET"
S_BEST=$BEST; S_MEDIAN=$MEDIAN
time_get communities "$STREET_TOKEN" "/communities"
L_BEST=$BEST; L_MEDIAN=$MEDIAN
C_RES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["residents"])' "$DATA/get-community.json")
S_RES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["residents"])' "$DATA/get-street.json")

COUNT_MS=
if command -v sqlite3 >/dev/null; then
    # the cheapest query that touches every resident of the community, an
    # index-only count (best of RUNS)
    COUNT_MS=$(for _ in $(seq "$RUNS"); do
        printf '.timer on\nSELECT count(*) FROM resident WHERE community = %s AND status = %s;\n' \
            "'$COMMUNITY'" "'active'" | sqlite3 "$DB"
    done | awk '/^Run Time/ {print $4 * 1000}' | sort -n | head -1)
fi

echo
echo "community statistics benchmark, $(date -I), $(nproc) cores, $RESIDENTS residents"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA), best/median of $RUNS after one warm-up, never cached"
echo "linli migrate: $MIGRATED, $MIGRATE_S s"
echo "GET /stats/community/$COMMUNITY ($C_RES residents): best $C_BEST ms, median $C_MEDIAN ms"
echo "GET /stats/community/$STREET ($S_RES residents): best $S_BEST ms, median $S_MEDIAN ms"
echo "GET /communities (street admin): best $L_BEST ms, median $L_MEDIAN ms"
if [ -n "$COUNT_MS" ]; then
    echo "for comparison, sqlite3 shell: count(*) of the community's active residents, best $COUNT_MS ms"
fi

if [ -z "${KEEP_DB:-}" ]; then
    bench_cleanup
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
fi
