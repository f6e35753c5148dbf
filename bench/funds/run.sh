#!/usr/bin/env bash
# The 自治金 ledger of a street: 17 communities, 5 years (2016-2020),
# 10,000 projects, 200,000 spending lines (bench/funds/generate.sql, SQLite).
# Times GET /api/v1/funds/ledger for the street's year and for one
# community's, and `linli funds ledger` (a whole process) for the street.
# See bench/README.md.
#
#   bench/funds/run.sh          # env: RUNS=9 KEEP_DB=1 (keeps the db for the next run)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja curl python3 sqlite3

RUNS=${RUNS:-9}
STREET=310105004
COMMUNITY=310105004017
YEAR=2018
DB=$DATA/funds.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
if [ ! -f "$DB" ]; then
    echo "== linli demo --residents 1000, then bench/funds/generate.sql (once; kept with KEEP_DB=1)" >&2
    rm -f "$DB-wal" "$DB-shm" "$DB.key"
    (cd "$ROOT" && "$LINLI" demo --db "$DB" --residents 1000 >/dev/null)
    sqlite3 "$DB" <"$BENCH_DIR/funds/generate.sql"
fi
"$LINLI" migrate --db "$DB" >/dev/null
N_APPS=$(sqlite3 "$DB" "SELECT count(*) FROM fund_application WHERE title LIKE 'bench %'")
N_SPEND=$(sqlite3 "$DB" "SELECT count(*) FROM fund_spending WHERE year BETWEEN 2016 AND 2020")
N_YEAR=$(sqlite3 "$DB" "SELECT count(*) FROM fund_spending WHERE year = $YEAR")

PORT=$(free_port 18770) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-funds.log"
BASE=http://127.0.0.1:$PORT/api/v1
STREET_TOKEN=$(login "$PORT" street) || die "login street failed"
wait_quiet 30
time_get street "$STREET_TOKEN" "/funds/ledger?community=$STREET&year=$YEAR"
S_BEST=$BEST; S_MEDIAN=$MEDIAN
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["reconciles"] and len(d["lines"]) == 68, d["problems"]' \
    "$DATA/get-street.json" || die "the street's ledger does not reconcile"
time_get community "$STREET_TOKEN" "/funds/ledger?community=$COMMUNITY&year=$YEAR"
C_BEST=$BEST; C_MEDIAN=$MEDIAN

CLI_TIMES=()
for _ in $(seq "$RUNS"); do
    T0=$(date +%s%N)
    "$LINLI" funds ledger --db "$DB" --community "$STREET" --year "$YEAR" >/dev/null ||
        die "linli funds ledger failed or does not reconcile"
    CLI_TIMES+=($(( ($(date +%s%N) - T0) / 1000 )))
done
read -r CLI_BEST CLI_MEDIAN < <(printf '%s\n' "${CLI_TIMES[@]}" | python3 -c '
import statistics, sys
t = sorted(int(x) / 1000 for x in sys.stdin)
print("%.1f %.1f" % (t[0], statistics.median(t)))')

# the street's five years, one GET each: the sum, best and median of RUNS (after a warm-up round)
ALL_TIMES=()
for r in $(seq 0 "$RUNS"); do
    T=$( { for y in 2016 2017 2018 2019 2020; do
        curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $STREET_TOKEN" \
            "$BASE/funds/ledger?community=$STREET&year=$y"; done; } |
        python3 -c 'import sys; print("%.1f" % (sum(float(x) for x in sys.stdin) * 1000))')
    [ "$r" -gt 0 ] && ALL_TIMES+=("$T")
done
read -r ALL_BEST ALL_MEDIAN < <(printf '%s\n' "${ALL_TIMES[@]}" | python3 -c '
import statistics, sys
t = sorted(float(x) for x in sys.stdin)
print("%.1f %.1f" % (t[0], statistics.median(t)))')

echo
echo "funds ledger benchmark, $(date -I), $(nproc) cores"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA), best/median of $RUNS after one warm-up"
echo "data: 17 communities x 5 years, $N_APPS projects, $N_SPEND spending lines ($N_YEAR in $YEAR)"
echo "GET /funds/ledger?community=$STREET&year=$YEAR (68 lines): best $S_BEST ms, median $S_MEDIAN ms"
echo "GET /funds/ledger?community=$COMMUNITY&year=$YEAR (4 lines): best $C_BEST ms, median $C_MEDIAN ms"
echo "the street's five years, one GET each, in all: best $ALL_BEST ms, median $ALL_MEDIAN ms"
echo "linli funds ledger --community $STREET --year $YEAR (process start to exit): best $CLI_BEST ms, median $CLI_MEDIAN ms"

if [ -z "${KEEP_DB:-}" ]; then
    bench_cleanup
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
fi
