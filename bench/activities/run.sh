#!/usr/bin/env bash
# Activities (issue 18): sign-ups per second when 64 clients rush one popular
# activity (`POST /api/v1/activities/{id}/signups {}`, each a write
# transaction that takes a place under the database's CHECK or joins the
# waitlist), beside the same sign-up as a bare SQLite transaction in Python
# (the store's own ceiling on this machine); and a street's activity list
# (`GET /api/v1/activities?community=STREET`, 17 communities x 5 years of
# activities) beside nginx serving the same bytes as a static file; and a
# volunteer's ledger of 10 years (`GET /api/v1/volunteers/{id}/hours`), her
# certificate PDF and the community's 10-year totals, with VOLUNTEERS
# volunteers each serving at the same 1,500 past activities.
# Loopback only; see bench/README.md.
#
#   bench/activities/run.sh      # env: RESIDENTS=200000 DURATION=10s CLIENTS=64 CAPACITY=500 PER_YEAR=120 VOLUNTEERS=50
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja nginx wrk curl python3 sqlite3 timeout

RESIDENTS=${RESIDENTS:-200000}
DURATION=${DURATION:-10s}
CLIENTS=${CLIENTS:-64}
CAPACITY=${CAPACITY:-500}
PER_YEAR=${PER_YEAR:-120}
VOLUNTEERS=${VOLUNTEERS:-50}
STREET=310105004
COMMUNITY=310105004017
TEMPLATE=$DATA/activities-template.db
DB=$DATA/activities.db
NGX=$DATA/nginx-activities
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"

# -- the template: the demo with RESIDENTS residents; every active resident of
# COMMUNITY gets an account and a session whose token is "bench-act-" and N in
# 33 digits (43 characters, as a real token; sessions keep an unkeyed
# BLAKE2b-256 of it, as crypto_token_hash does); the street gets PER_YEAR
# past activities a year per community for 5 years, each with a session
if [ ! -s "$TEMPLATE" ] || [ "$(cat "$TEMPLATE.made-by" 2>/dev/null)" != "$LINLI_SHA $RESIDENTS $PER_YEAR $VOLUNTEERS" ]; then
    echo "== building $TEMPLATE" >&2
    rm -f "$TEMPLATE" "$TEMPLATE"-wal "$TEMPLATE"-shm "$TEMPLATE.key" "$TEMPLATE.made-by"
    timeout 600 "$LINLI" demo --db "$TEMPLATE" --residents "$RESIDENTS" >/dev/null || die "demo failed"
    python3 - "$TEMPLATE" "$COMMUNITY" "$STREET" "$PER_YEAR" "$VOLUNTEERS" <<'PY'
import hashlib, sqlite3, sys, time
db, community, street, per_year, n_vol = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
now = int(time.time() * 1000)
DAY = 86400000
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=OFF")
c.execute("PRAGMA synchronous=OFF")
c.execute("BEGIN")
c.execute("""INSERT INTO app_user (username, password_hash, role, scope, household_id, resident_id, created_at)
             SELECT 'ba' || r.id, '!', 'resident', r.community, r.household_id, r.id, ?1
             FROM resident r WHERE r.community = ?2 AND r.status = 'active'
             AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id) ORDER BY r.id""", (now, community))
users = c.execute("SELECT id FROM app_user WHERE username LIKE 'ba%' ORDER BY id").fetchall()
c.executemany("INSERT INTO session (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
              ((hashlib.blake2b(f"bench-act-{i:033d}".encode(), digest_size=32).digest(), uid, now, now + 30 * DAY)
               for i, (uid,) in enumerate(users)))
kinds = ["volunteer", "course", "market", "sports", "civic"]
comms = [r[0] for r in c.execute("SELECT code FROM division WHERE code LIKE ?1 || '%' AND length(code) = 12 ORDER BY code", (street,))]
n = 0
for cm in comms:
    for k in range(5 * per_year):
        start = now - (5 * 365 * DAY) + k * (365 * DAY // per_year) + 9 * 3600000
        aid = c.execute("""INSERT INTO activity (community, title, kind, place, start_at, end_at, capacity, taken,
                           signup_closes, cancel_until, created_at, updated_at)
                           VALUES (?1, ?2, ?3, '社区活动室', ?4, ?4 + 7200000, 40, 0, ?4, ?4 - 86400000, ?5, ?5) RETURNING id""",
                        (cm, f"往期活动 {k + 1}", kinds[k % 5], start, start - 30 * DAY)).fetchone()[0]
        c.execute("INSERT INTO activity_session (activity_id, seq, start_at, end_at, token) VALUES (?1, 1, ?2, ?2 + 7200000, ?3)",
                  (aid, start, f"bench-{aid}"))
        n += 1
# ten years of volunteering: 1,500 past service activities of the demo
# community (150 a year, one session each); n_vol volunteers served two hours
# at every one, confirmed, and each has 10 corrections
staff = c.execute("SELECT id FROM app_user WHERE username = 'staff'").fetchone()[0]
vols = []
for (rid,) in c.execute("""SELECT r.id FROM resident r WHERE r.community = ?1 AND r.status = 'active'
                           AND NOT EXISTS (SELECT 1 FROM volunteer v WHERE v.resident_id = r.id) ORDER BY r.id DESC LIMIT ?2""",
                        (community, n_vol)).fetchall():
    vols.append(c.execute("""INSERT INTO volunteer (community, resident_id, minutes, created_at, updated_at)
                             VALUES (?1, ?2, 0, ?3, ?3) RETURNING id""", (community, rid, now - 3660 * DAY)).fetchone()[0])
sessions = []
for k in range(1500):
    start = now - 3650 * DAY + k * (3650 * DAY // 1500) + 8 * 3600000
    aid = c.execute("""INSERT INTO activity (community, title, kind, place, start_at, end_at, capacity, taken,
                       signup_closes, cancel_until, created_at, updated_at)
                       VALUES (?1, ?2, ?3, '社区', ?4, ?4 + 7200000, 100, 0, ?4, ?4 - 86400000, ?5, ?5) RETURNING id""",
                    (community, f"志愿服务 {k + 1}", ["volunteer", "market", "civic"][k % 3], start, start - 30 * DAY)).fetchone()[0]
    sid = c.execute("INSERT INTO activity_session (activity_id, seq, start_at, end_at, token) VALUES (?1, 1, ?2, ?2 + 7200000, ?3) RETURNING id",
                    (aid, start, f"bench-vol-{aid}")).fetchone()[0]
    sessions.append((aid, sid, ["volunteer", "market", "civic"][k % 3], start))
for v in vols:
    c.executemany("""INSERT INTO volunteer_hours (volunteer_id, community, source, activity_id, session_id, kind, served_at,
                     minutes, state, created_at, reviewed_by, reviewed_at)
                     VALUES (?1, ?2, 'attendance', ?3, ?4, ?5, ?6, 120, 'confirmed', ?7, ?8, ?7)""",
                  ((v, community, aid, sid, kind, start, start + 7200000, staff) for aid, sid, kind, start in sessions))
    c.executemany("""INSERT INTO volunteer_hours (volunteer_id, community, source, kind, served_at, minutes, reason, state,
                     created_by, created_at)
                     VALUES (?1, ?2, 'correction', 'volunteer', ?3, ?4, '补录', 'confirmed', ?5, ?3)""",
                  ((v, community, now - (3650 - 365 * j) * DAY, 30 if j % 2 else -30, staff) for j in range(10)))
    c.execute("UPDATE volunteer SET minutes = (SELECT sum(minutes) FROM volunteer_hours WHERE volunteer_id = ?1 AND state = 'confirmed') WHERE id = ?1", (v,))
c.execute("COMMIT")
c.execute("PRAGMA journal_mode=WAL")
c.execute("ANALYZE")
c.close()
print(f"{len(users)} resident accounts, {n} past activities in {len(comms)} communities, {len(vols)} volunteers x {len(sessions) + 10} ledger entries", file=sys.stderr)
PY
    echo "$LINLI_SHA $RESIDENTS $PER_YEAR $VOLUNTEERS" >"$TEMPLATE.made-by"
fi
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEMPLATE" "$DB"
cp "$TEMPLATE.key" "$DB.key"
ACCOUNTS=$(sqlite3 "$DB" "SELECT count(*) FROM app_user WHERE username LIKE 'ba%'")
N_ACT=$(sqlite3 "$DB" "SELECT count(*) FROM activity WHERE community LIKE '$STREET%'")

PORT=$(free_port 18980) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-activities.log"
BASE="http://127.0.0.1:$PORT/api/v1"
STAFF=$(login "$PORT" staff) || die "login staff failed"
STREET_TOKEN=$(login "$PORT" street) || die "login street failed"

# -- the popular activity: CAPACITY places, a waitlist, sign-up open now
ACT=$(python3 - "$BASE" "$STAFF" "$COMMUNITY" "$CAPACITY" <<'PY'
import datetime, json, sys, urllib.request
base, token, community, capacity = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tz = datetime.timezone(datetime.timedelta(hours=8))
start = (datetime.datetime.now(tz) + datetime.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
body = {"community": community, "title": "压测：热门亲子课", "kind": "course", "start": start.isoformat(),
        "end": (start + datetime.timedelta(hours=2)).isoformat(), "capacity": capacity, "place": "社区活动室 101"}
req = urllib.request.Request(base + "/activities", json.dumps(body).encode(), method="POST",
                             headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["id"])
PY
) || die "POST /activities failed"

lua=$DATA/activities-signups.lua
wrk_lua "$lua"
cat >>"$lua" <<LUA
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  local i = n * 2 + (tid - 1)
  n = n + 1
  return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. string.format("bench-act-%033d", i),
    ["Content-Type"] = "application/json" }, "{}")
end
LUA
WRK_ARGS=(-t2 -c"$CLIENTS" -d"$DURATION" --latency)
echo "== wrk ${WRK_ARGS[*]} POST /api/v1/activities/$ACT/signups" >&2
run_wrk "activities signups" "$BASE/activities/$ACT/signups" "$lua" "$LINLI_PID"
S_RPS=$RPS; S_P50=$P50; S_P99=$P99; S_BAD=$BAD; S_FOREIGN=$FOREIGN
read -r TAKEN CONFIRMED WAITING < <(sqlite3 -separator ' ' "$DB" "SELECT taken,
    (SELECT count(*) FROM activity_signup WHERE activity_id = $ACT AND state = 'confirmed'),
    (SELECT count(*) FROM activity_signup WHERE activity_id = $ACT AND state = 'waitlisted')
    FROM activity WHERE id = $ACT")
[ "$TAKEN" -eq "$CONFIRMED" ] && [ "$TAKEN" -le "$CAPACITY" ] || die "taken $TAKEN, confirmed $CONFIRMED, capacity $CAPACITY"
[ $((CONFIRMED + WAITING)) -lt "$ACCOUNTS" ] || echo "bench: warning: every account signed up; raise RESIDENTS" >&2

# the same sign-up as bare SQLite transactions (one connection, WAL,
# synchronous=NORMAL as linli runs): read the activity, insert the sign-up,
# take the place under the CHECK or waitlist — a ceiling for one writer
SQLITE_TPS=$(python3 - "$DB" "$ACT" <<'PY'
import sqlite3, sys, time
db, act = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db, isolation_level=None)
c.execute("PRAGMA synchronous=NORMAL")
c.execute("PRAGMA busy_timeout=10000")
ids = [r for r in c.execute("""SELECT u.id, u.resident_id FROM app_user u WHERE u.username LIKE 'ba%'
          AND NOT EXISTS (SELECT 1 FROM activity_signup s WHERE s.activity_id = ?1 AND s.resident_id = u.resident_id)
          ORDER BY u.id DESC LIMIT 3000""", (act,))]
t0 = time.perf_counter()
for uid, rid in ids:
    c.execute("BEGIN IMMEDIATE")
    c.execute("SELECT capacity, taken, waitlist FROM activity WHERE id = ?1", (act,)).fetchone()
    c.execute("SELECT count(*) FROM activity_signup WHERE activity_id = ?1 AND resident_id = ?2 AND state <> 'cancelled'", (act, rid)).fetchone()
    ok = c.execute("UPDATE activity SET taken = taken + 1 WHERE id = ?1 AND taken < capacity", (act,)).rowcount
    c.execute("INSERT INTO activity_signup (activity_id, resident_id, user_id, state, created_at) VALUES (?1, ?2, ?3, ?4, 0)",
              (act, rid, uid, "confirmed" if ok else "waitlisted"))
    c.execute("COMMIT")
print("%.0f" % (len(ids) / (time.perf_counter() - t0)))
PY
) || die "the SQLite comparison failed"

# -- a street's list: linli beside nginx serving the same bytes
LIST="/activities?community=$STREET&per_page=50"
time_get street-list "$STREET_TOKEN" "$LIST"
L_BEST=$BEST; L_MEDIAN=$MEDIAN
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["total"] >= int(sys.argv[2]) and len(d["items"]) == 50, d.get("total")' \
    "$DATA/get-street-list.json" "$N_ACT" || die "the street's list is not complete"
rm -rf "$NGX"; mkdir -p "$NGX/www"
cp "$DATA/get-street-list.json" "$NGX/www/list.json"
nginx_static "$NGX" $((PORT + 1)) list.json
wrk_lua "$DATA/activities-plain.lua"
wrk_lua "$DATA/activities-auth.lua" "$STREET_TOKEN"
WRK_ARGS=(-t2 -c"$CLIENTS" -d"$DURATION" --latency)
run_wrk "nginx list.json" "http://127.0.0.1:$NPORT/list.json" "$DATA/activities-plain.lua" "$NGINX_PID"
N_RPS=$RPS; N_P50=$P50; N_P99=$P99
run_wrk "linli street list" "$BASE$LIST" "$DATA/activities-auth.lua" "$LINLI_PID"
LL_RPS=$RPS; LL_P50=$P50; LL_P99=$P99; LL_BAD=$BAD; LL_FOREIGN=$FOREIGN

# -- a volunteer's ledger of 10 years, her certificate, the community's totals
VOL=$(sqlite3 "$DB" "SELECT v.id FROM volunteer v WHERE EXISTS (SELECT 1 FROM volunteer_hours h WHERE h.volunteer_id = v.id
    AND h.session_id IN (SELECT id FROM activity_session WHERE token LIKE 'bench-vol-%')) ORDER BY v.id LIMIT 1")
[ -n "$VOL" ] || die "no bench volunteer"
N_ENTRIES=$(sqlite3 "$DB" "SELECT count(*) FROM volunteer_hours WHERE volunteer_id = $VOL")
N_COMMUNITY=$(sqlite3 "$DB" "SELECT count(*) FROM volunteer_hours WHERE community = '$COMMUNITY'")
time_get ledger "$STAFF" "/volunteers/$VOL/hours?per_page=500"
V_BEST=$BEST; V_MEDIAN=$MEDIAN
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=int(sys.argv[2]); assert d["total"] == n and len(d["items"]) == min(500, n), (d["total"], n)' \
    "$DATA/get-ledger.json" "$N_ENTRIES" || die "the ledger's first page is not right"
# the whole ledger, page after page of 500: the sum, best and median of RUNS
PAGES=$(( (N_ENTRIES + 499) / 500 ))
ALL_TIMES=()
for _ in $(seq "${RUNS:-9}"); do
    T=$( { for p in $(seq "$PAGES"); do
        curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $STAFF" "$BASE/volunteers/$VOL/hours?per_page=500&page=$p"; done; } |
        python3 -c 'import sys; print("%.1f" % (sum(float(x) for x in sys.stdin) * 1000))')
    ALL_TIMES+=("$T")
done
read -r VA_BEST VA_MEDIAN < <(printf '%s\n' "${ALL_TIMES[@]}" | python3 -c '
import statistics, sys
t = sorted(float(x) for x in sys.stdin)
print("%.1f %.1f" % (t[0], statistics.median(t)))')
cp "$DATA/get-ledger.json" "$NGX/www/ledger.json"
SAVED_BASE=$BASE; BASE=http://127.0.0.1:$NPORT
time_get nginx-ledger "" "/ledger.json"
NV_BEST=$BEST; NV_MEDIAN=$MEDIAN
BASE=$SAVED_BASE
time_get certificate "$STAFF" "/volunteers/$VOL/certificate"
C_BEST=$BEST; C_MEDIAN=$MEDIAN
head -c 5 "$DATA/get-certificate.json" | grep -q '%PDF-' || die "the certificate is not a PDF"
FROM=$(python3 -c 'import datetime; print((datetime.date.today() - datetime.timedelta(days=3660)).isoformat())')
time_get totals "$STAFF" "/volunteers/totals?community=$COMMUNITY&from=$FROM"
T_BEST=$BEST; T_MEDIAN=$MEDIAN

cat <<OUT

activities benchmark, $(date -I), $(nproc) cores
linli $LINLI_REV (sha256 $LINLI_SHA), SQLite, linli serve --threads 2; wrk ${WRK_ARGS[*]}
data: $RESIDENTS residents, $ACCOUNTS resident accounts in $COMMUNITY, $N_ACT activities in the street
sign-ups, $CLIENTS clients flat out, $DURATION, one activity of $CAPACITY places with a waitlist:
  linli POST /activities/$ACT/signups: $S_RPS/s (p50 $S_P50 ms, p99 $S_P99 ms, $S_BAD bad; other processes $S_FOREIGN% CPU)
  -> $CONFIRMED confirmed (taken $TAKEN of $CAPACITY), $WAITING waitlisted
  the same sign-up as bare SQLite transactions in Python, one writer: $SQLITE_TPS/s
street list GET $LIST ($(stat -c %s "$NGX/www/list.json") bytes):
  one client: best $L_BEST ms, median $L_MEDIAN ms
  linli, $CLIENTS clients: $LL_RPS req/s (p50 $LL_P50 ms, p99 $LL_P99 ms, $LL_BAD bad; other processes $LL_FOREIGN%)
  nginx, same bytes:  $N_RPS req/s (p50 $N_P50 ms, p99 $N_P99 ms)
a volunteer's 10 years ($N_ENTRIES ledger entries; $N_COMMUNITY in the community), one client, best/median of ${RUNS:-9}:
  GET /volunteers/$VOL/hours?per_page=500, the newest 500 ($(stat -c %s "$NGX/www/ledger.json") bytes): $V_BEST / $V_MEDIAN ms; nginx, same bytes: $NV_BEST / $NV_MEDIAN ms
  the whole ledger, $PAGES pages of 500, one after another: $VA_BEST / $VA_MEDIAN ms
  GET /volunteers/$VOL/certificate (PDF, $(stat -c %s "$DATA/get-certificate.json") bytes): $C_BEST / $C_MEDIAN ms
  GET /volunteers/totals?community=$COMMUNITY&from=$FROM (10 years): $T_BEST / $T_MEDIAN ms
OUT
