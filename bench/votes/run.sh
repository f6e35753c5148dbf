#!/usr/bin/env bash
# Votes: a city-wide poll of 1,000,000 households (one vote per household,
# `POST /api/v1/votes/{id}/ballots`, each a write transaction that appends
# to the vote's hash chain and keeps the live participation) on SQLite:
# ballots per second over DURATION from distinct households, paced to RATE
# and flat out, and meanwhile the live participation
# (`GET /api/v1/votes/{id}/participation`) polled every 50 ms. Also the time to open the vote (its roll of every
# household), to close and count it, and `linli votes verify` over the
# chain. Goal (issue 16): 500 ballots/s, participation under 10 ms.
# Loopback only; see bench/README.md.
#
#   bench/votes/run.sh          # env: HOUSEHOLDS=1000000 VOTERS=300000 DURATION=30s CLIENTS=16 RATE=500
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja wrk curl python3 sqlite3 timeout

HOUSEHOLDS=${HOUSEHOLDS:-1000000}
VOTERS=${VOTERS:-300000}
DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-16}
COMMUNITY=310105004017
TEMPLATE=$DATA/votes-template.db
DB=$DATA/votes.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"

# -- the template: a small demo, then HOUSEHOLDS more households in the demo
# community (1,000 per building) and VOTERS of them with a resident account
# and a session whose token is "bench-voter-" and N in 31 digits (43
# characters, as a real token; sessions keep an unkeyed
# BLAKE2b-256 of the token, as crypto_token_hash does)
if [ ! -s "$TEMPLATE" ] || [ "$(cat "$TEMPLATE.made-by" 2>/dev/null)" != "$LINLI_SHA $HOUSEHOLDS $VOTERS 43" ]; then
    echo "== building $TEMPLATE" >&2
    rm -f "$TEMPLATE" "$TEMPLATE"-wal "$TEMPLATE"-shm "$TEMPLATE.key" "$TEMPLATE.made-by"
    timeout 300 "$LINLI" demo --db "$TEMPLATE" --residents 2000 >/dev/null || die "demo failed"
    python3 - "$TEMPLATE" "$COMMUNITY" "$HOUSEHOLDS" "$VOTERS" <<'PY'
import hashlib, sqlite3, sys, time
db, community, n, voters = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
now = int(time.time() * 1000)
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode=OFF")
c.execute("PRAGMA synchronous=OFF")
c.execute("BEGIN")
per = 1000
first = None
for b in range((n + per - 1) // per):
    bid = c.execute("INSERT INTO building (community, name, units, floors, created_at)"
                    " VALUES (?, ?, 10, 100, ?) RETURNING id", (community, f"压测{b + 1}号楼", now)).fetchone()[0]
    rows = [(bid, community, 1 + k // 100, 1 + k % 100, f"{1 + k % 100}{k // 100:02d}", now)
            for k in range(min(per, n - b * per))]
    cur = c.executemany("INSERT INTO household (building_id, community, unit, floor, room, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)", rows)
    if first is None:
        first = c.execute("SELECT min(id) FROM household WHERE building_id = ?", (bid,)).fetchone()[0]
users = ((f"bv{i}", "!", "resident", community, first + i, now) for i in range(voters))
c.executemany("INSERT INTO app_user (username, password_hash, role, scope, household_id, created_at)"
              " VALUES (?, ?, ?, ?, ?, ?)", users)
sessions = ((hashlib.blake2b(f"bench-voter-{i:031d}".encode(), digest_size=32).digest(), uid, now, now + 30 * 86400000)
            for i, (uid,) in enumerate(c.execute("SELECT id FROM app_user WHERE username LIKE 'bv%' ORDER BY household_id").fetchall()))
c.executemany("INSERT INTO session (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)", sessions)
c.execute("COMMIT")
c.execute("PRAGMA journal_mode=WAL")
c.execute("ANALYZE")
c.close()
PY
    echo "$LINLI_SHA $HOUSEHOLDS $VOTERS 43" >"$TEMPLATE.made-by"
fi
rm -f "$DB" "$DB"-wal "$DB"-shm
cp "$TEMPLATE" "$DB"
cp "$TEMPLATE.key" "$DB.key"
N_HOUSEHOLDS=$(sqlite3 "$DB" "SELECT count(*) FROM household WHERE community = '$COMMUNITY'")

PORT=$(free_port 18950) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-votes.log"
BASE="http://127.0.0.1:$PORT"
STAFF=$(login "$PORT" staff) || die "login failed"

# -- open the poll: its roll is every household of the community
CLOSES=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)).isoformat())')
t0=$(date +%s.%N)
VOTE=$(curl -sf -H "Authorization: Bearer $STAFF" -H 'Content-Type: application/json' \
    -d "{\"kind\":\"poll\",\"per\":\"household\",\"title\":\"压测：全市民意征集\",\"scope\":\"community\",\"closes_at\":\"$CLOSES\"}" \
    "$BASE/api/v1/votes" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || die "POST /votes failed"
OPEN_S=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$t0" "$(date +%s.%N)")
ROLL=$(sqlite3 "$DB" "SELECT voters_total FROM vote WHERE id = $VOTE")

# the participation as a page polls it: every 50 ms, one client, timed by the client
cat >"$DATA/votes-poll.py" <<'PY'
import http.client, json, statistics, sys, time
port, path, token, seconds = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port)
t = []
end = time.monotonic() + seconds
while time.monotonic() < end:
    t0 = time.monotonic()
    c.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = c.getresponse()
    body = r.read()
    t.append((time.monotonic() - t0) * 1000)
    if r.status != 200:
        sys.exit(f"participation: {r.status} {body[:200]}")
    time.sleep(0.05)
t.sort()
print("%d %.2f %.2f %.2f %s" % (len(t), statistics.median(t), t[int(len(t) * 0.99) - 1], t[-1],
                               json.loads(body)["voters"]))
PY
SECONDS_RUN=$(python3 -c "import sys; s=sys.argv[1]; print(float(s[:-1]) * (60 if s[-1] == 'm' else 1))" "$DURATION")

# ballots PHASE DELAY_MS FIRST: CLIENTS clients each waiting DELAY_MS between
# ballots (0: flat out), voters FIRST, FIRST+1, … (each household once), the
# participation polled beside them; sets the PHASE's figures
ballots() {
    local phase=$1 delay=$2 first=$3 lua=$DATA/votes-ballots-$1.lua poll
    wrk_lua "$lua"
    cat >>"$lua" <<LUA
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  local i = $first + n * 2 + (tid - 1)
  n = n + 1
  return wrk.format("POST", nil, { ["Authorization"] = "Bearer " .. string.format("bench-voter-%031d", i),
    ["Content-Type"] = "application/json" }, '{"choice":"' .. (i % 3 == 0 and "no" or "yes") .. '"}')
end
LUA
    [ "$delay" -gt 0 ] && echo "delay = function() return $delay end" >>"$lua"
    WRK_ARGS=(-t2 -c"$CLIENTS" -d"$DURATION" --latency)
    wait_quiet
    echo "== $phase: wrk ${WRK_ARGS[*]} POST /api/v1/votes/$VOTE/ballots (delay $delay ms), participation polled every 50 ms" >&2
    python3 "$DATA/votes-poll.py" "$PORT" "/api/v1/votes/$VOTE/participation" "$STAFF" "$SECONDS_RUN" \
        >"$DATA/votes-poll-$phase.txt" &
    poll=$!
    BENCH_PIDS+=("$poll")
    QUIET_WAIT=1 run_wrk "votes ballots $phase" "$BASE/api/v1/votes/$VOTE/ballots" "$lua" "$LINLI_PID" "$poll"
    wait "$poll" || die "participation polling failed"
    read -r PN P_P50 P_P99 P_MAX P_SEEN <"$DATA/votes-poll-$phase.txt"
    printf -v "LINE_$phase" '%s' "$RPS/s (p50 $P50 ms, p99 $P99 ms, $BAD bad; other processes $FOREIGN% CPU); participation p50 $P_P50 ms, p99 $P_P99 ms, max $P_MAX ms ($PN polls)"
}

# paced: each client waits so that CLIENTS together send about RATE a second
# (a ballot's own 1-2 ms taken off the wait)
RATE=${RATE:-500}
ballots paced $((1000 * CLIENTS / RATE - 2)) 0
ballots flat 0 $((VOTERS / 2))
BALLOTS=$(sqlite3 "$DB" "SELECT n_ballots FROM vote WHERE id = $VOTE")
VOTERS_IN=$(sqlite3 "$DB" "SELECT voters_in FROM vote WHERE id = $VOTE")

# -- close and count, then verify the chain from the database
t0=$(date +%s.%N)
curl -sf -X POST -H "Authorization: Bearer $STAFF" "$BASE/api/v1/votes/$VOTE/close" >"$DATA/votes-result.json" ||
    die "close failed"
CLOSE_S=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$(date +%s.%N)")
t0=$(date +%s.%N)
"$LINLI" votes verify --db "$DB" --vote "$VOTE" >"$DATA/votes-verify.json" || die "verify failed: $(cat "$DATA/votes-verify.json")"
VERIFY_S=$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$t0" "$(date +%s.%N)")

cat <<OUT
linli $LINLI_REV (sha256 $LINLI_SHA), SQLite, linli serve --threads 2
households in the poll's roll:   $ROLL ($N_HOUSEHOLDS in the community); opening the vote took $OPEN_S s
ballots paced to ~$RATE/s, $CLIENTS clients, $DURATION: $LINE_paced
ballots flat out, $CLIENTS clients, $DURATION:       $LINE_flat
in all $BALLOTS ballots from $VOTERS_IN households
close and count:                 $CLOSE_S s;  linli votes verify: $VERIFY_S s ($(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("ok" if d["ok"] else "NOT OK")' "$DATA/votes-verify.json"))
OUT
