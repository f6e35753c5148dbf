#!/usr/bin/env bash
# Care: on the 1,000,000-resident demo street with about 30,000 elderly in
# care (`linli care generate`, PER per community), measures the overdue
# sweep over the whole database (`linli care sweep`: the first of an evening,
# which raises every missed check and late visit, then the same sweep again,
# which finds them all raised), the care list of a community and of the
# street (first page; all, overdue, living alone), and visit writes per
# second (POST /care/people/{id}/visits). Goals (issue 15): sweep < 1 s,
# community list < 20 ms, street list < 100 ms. For comparison, in the same
# run: sqlite3's shell counting the street's people in care and their visits.
#
#   bench/care/run.sh          # env: PER=1800 DURATION=10s RESIDENTS=1000000
#                              # KEEP_DB=1 keeps the template (demo + care) for the next run
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja wrk curl python3 sqlite3 timeout

RESIDENTS=${RESIDENTS:-1000000}
PER=${PER:-1800}
DURATION=${DURATION:-10s}
COMMUNITY=310105004017
STREET=310105004
TEMPLATE=$DATA/care-template-$RESIDENTS.db
DB=$DATA/care-$RESIDENTS.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# -- the template (made once, kept): the demo street and PER in care per community;
# every run works on a copy, so that its sweeps start from the same alerts
build_linli
demo_db "$TEMPLATE" "$RESIDENTS"
"$LINLI" migrate --db "$TEMPLATE" >/dev/null
if [ "$(cat "$TEMPLATE.care-made" 2>/dev/null)" != "$PER" ]; then
    echo "== linli care generate --per-community $PER (once)" >&2
    GEN=$(timeout 3600 "$LINLI" care generate --db "$TEMPLATE" --per-community "$PER") || die "care generate failed"
    echo "$GEN" >"$TEMPLATE.care-gen"
    echo "$PER" >"$TEMPLATE.care-made"
    sqlite3 "$TEMPLATE" "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;" >/dev/null
fi
GEN=$(cat "$TEMPLATE.care-gen")
rm -f "$DB" "$DB-wal" "$DB-shm"
cp "$TEMPLATE" "$DB"
cp "$TEMPLATE.key" "$DB.key"
N_ELDERLY=$(sqlite3 "$DB" "SELECT count(*) FROM resident WHERE status = 'active'
    AND birth_date <= date('now', '-60 years')")
N_CARE=$(sqlite3 "$DB" "SELECT count(*) FROM care_person WHERE closed_at IS NULL")
N_VISITS=$(sqlite3 "$DB" "SELECT count(*) FROM care_visit")
N_COMM=$(sqlite3 "$DB" "SELECT count(*) FROM care_person WHERE closed_at IS NULL AND community = '$COMMUNITY'")

# -- the sweep, whole database: at 21:00 Beijing today (checks missed since 10:00,
# visits past due), then the same again (idempotent: nothing new)
NOW=$(python3 -c 'import datetime as d; z = d.timezone(d.timedelta(hours=8)); print(d.datetime.now(z).strftime("%Y-%m-%dT21:00:00+08:00"))')
sweep_ms() {   # sweep_ms: runs the sweep at $NOW; prints "process_ms alerts sweep_ms"
    python3 - "$LINLI" "$DB" "$NOW" <<'PY'
import re, subprocess, sys, time
t = time.perf_counter()
r = subprocess.run([sys.argv[1], "care", "sweep", "--db", sys.argv[2], "--now", sys.argv[3]],
                   check=True, capture_output=True, text=True)
ms = (time.perf_counter() - t) * 1000
own = re.search(r"in (\d+) ms", r.stderr)
print("%.0f %s %s" % (ms, r.stdout.strip(), own.group(1) if own else "?"))
PY
}
wait_quiet 30
read -r SWEEP1_MS SWEEP1_N SWEEP1_OWN < <(sweep_ms)
read -r SWEEP2_MS SWEEP2_N SWEEP2_OWN < <(sweep_ms)
read -r SWEEP3_MS SWEEP3_N SWEEP3_OWN < <(sweep_ms)
SQLITE_MS=$(printf '.timer on\nSELECT count(*) FROM care_person p JOIN care_visit v ON v.care_id = p.id WHERE p.closed_at IS NULL;\n' |
    sqlite3 "$DB" | awk '/^Run Time/ {print $4 * 1000}')

PORT=$(free_port 18950) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-care.log"
BASE=http://127.0.0.1:$PORT/api/v1
STAFF=$(login "$PORT") || die "login staff failed"
STREET_TOKEN=$(login "$PORT" street) || die "login street failed"
wait_quiet 30
NOCACHE=1
time_get c_all "$STAFF" "/care/people?community=$COMMUNITY"
C_ALL=$MEDIAN
time_get c_overdue "$STAFF" "/care/people?community=$COMMUNITY&overdue=1"
C_OVERDUE=$MEDIAN
time_get c_alone "$STAFF" "/care/people?community=$COMMUNITY&alone=1&grade=1"
C_ALONE=$MEDIAN
time_get c_notin "$STAFF" "/care/people?community=$COMMUNITY&in_care=0"
C_NOTIN=$MEDIAN
time_get s_all "$STREET_TOKEN" "/care/people"
S_ALL=$MEDIAN
time_get s_overdue "$STREET_TOKEN" "/care/people?overdue=1"
S_OVERDUE=$MEDIAN
time_get s_alone "$STREET_TOKEN" "/care/people?alone=1"
S_ALONE=$MEDIAN
total_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["total"])' "$DATA/get-$1.json"; }

# -- visit writes: staff recording a phone visit for one person, 1 and 16 clients
CARE_ID=$(sqlite3 "$DB" "SELECT id FROM care_person WHERE community = '$COMMUNITY' AND closed_at IS NULL ORDER BY id LIMIT 1")
VISITED_AT=$(python3 -c 'import datetime as d; z = d.timezone(d.timedelta(hours=8)); print((d.datetime.now(z) - d.timedelta(hours=1)).isoformat(timespec="seconds"))')
declare -A V_RPS V_P99 V_ROWS V_BAD
for clients in 1 16; do
    lua=$DATA/care-visit-$clients.lua
    wrk_lua "$lua" "$STAFF"
    cat >>"$lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"visited_at":"$VISITED_AT","mode":"phone","checklist":{"body":"ok","mind":"ok","safety":"ok","utilities":"ok","needs":"ok"},"notes":"压测：电话回访"}'
LUA
    before=$(sqlite3 "$DB" "SELECT count(*) FROM care_visit")
    WRK_ARGS=(-t$((clients < 2 ? 1 : 2)) -c"$clients" -d"$DURATION" --latency)
    echo "== wrk ${WRK_ARGS[*]} POST /care/people/$CARE_ID/visits" >&2
    run_wrk "care visit, $clients clients" "$BASE/care/people/$CARE_ID/visits" "$lua" "$LINLI_PID"
    after=$(sqlite3 "$DB" "SELECT count(*) FROM care_visit")
    V_RPS[$clients]=$RPS; V_P99[$clients]=$P99; V_BAD[$clients]=$BAD; V_ROWS[$clients]=$((after - before))
done

cat <<EOF

care benchmark, $(date -I), $(nproc) cores, $RESIDENTS residents ($N_ELDERLY aged 60 or more)
linli $LINLI_REV (binary sha256 $LINLI_SHA); linli serve --threads 2; median of ${RUNS:-9} after one warm-up, never cached
in care: $N_CARE people, $N_VISITS visits ($GEN); $N_COMM in care in $COMMUNITY
sweep, whole database, 21:00: first $SWEEP1_OWN ms ($SWEEP1_N alerts), again $SWEEP2_OWN ms ($SWEEP2_N), again $SWEEP3_OWN ms ($SWEEP3_N)
  (the sweep's own time, its transaction committed; the whole \`linli care sweep\` process,
  start to exit with the WAL checkpoint at close: $SWEEP1_MS, $SWEEP2_MS, $SWEEP3_MS ms)
  for comparison, sqlite3 shell joining the people in care to their visits: $SQLITE_MS ms
community list, page 1 (of $(total_of c_all)):         $C_ALL ms
community list, overdue ($(total_of c_overdue)):             $C_OVERDUE ms
community list, alone and grade 1 ($(total_of c_alone)):   $C_ALONE ms
community list, elderly not in care ($(total_of c_notin)): $C_NOTIN ms
street list, page 1 (of $(total_of s_all)):          $S_ALL ms
street list, overdue ($(total_of s_overdue)):              $S_OVERDUE ms
street list, living alone ($(total_of s_alone)):        $S_ALONE ms
visit writes/s, 1 client:   ${V_RPS[1]} (p99 ${V_P99[1]} ms, ${V_ROWS[1]} rows, bad ${V_BAD[1]})
visit writes/s, 16 clients: ${V_RPS[16]} (p99 ${V_P99[16]} ms, ${V_ROWS[16]} rows, bad ${V_BAD[16]})
EOF

bench_cleanup
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
if [ -z "${KEEP_DB:-}" ]; then
    rm -f "$TEMPLATE" "$TEMPLATE-wal" "$TEMPLATE-shm" "$TEMPLATE.key" "$TEMPLATE.care-made" "$TEMPLATE.care-gen"
fi
