#!/usr/bin/env bash
# Resident searches on the 1,000,000-resident demo, made afresh (never from
# the registry cache): each kind of query as the community's staff and as
# the street admin, single client, best and median of RUNS. For comparison in
# the same run: GET /residents/{id} (one resident, the cheapest registry
# read) and, in the sqlite3 shell, an index-only count of the community.
# See bench/README.md.
#
#   bench/search/run.sh         # env: RESIDENTS=1000000 RUNS=9 KEEP_DB=1 (shares bench/stats's db)
#   BASELINE=REV bench/search/run.sh   # also an older linli (built from git REV in a
#                                      # temporary worktree) on the same db, same run
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
demo_db "$DB" "$RESIDENTS"
"$LINLI" migrate --db "$DB" >/dev/null

OLD_BASE=
if [ -n "${BASELINE:-}" ]; then
    OLD_DIR=$DATA/baseline-src
    rm -rf "$OLD_DIR"; git -C "$ROOT" worktree prune
    git -C "$ROOT" worktree add -q --detach "$OLD_DIR" "$BASELINE" || die "no git revision $BASELINE"
    (cd "$OLD_DIR" && meson setup build --buildtype=release -Db_ndebug=false >/dev/null && ninja -C build >/dev/null) ||
        die "cannot build $BASELINE"
    cp "$OLD_DIR/build/linli" "$DATA/linli-baseline"
    git -C "$ROOT" worktree remove --force "$OLD_DIR"
    OLD_PORT=$(free_port 18780) || die "no free port"
    "$DATA/linli-baseline" serve --db "$DB" --listen "127.0.0.1:$OLD_PORT" --threads 2 \
        --log-level warn >"$DATA/linli-baseline.log" 2>&1 &
    BENCH_PIDS+=("$!")
    wait_http "http://127.0.0.1:$OLD_PORT/api/v1/health" 30 || die "baseline did not start"
    OLD_BASE=http://127.0.0.1:$OLD_PORT/api/v1
    OLD_STAFF=$(login "$OLD_PORT") || die "login staff failed"
    OLD_STREET=$(login "$OLD_PORT" street) || die "login street failed"
fi
PORT=$(free_port 18760) || die "no free port"
start_linli "$DB" "$PORT" "$DATA/linli-search.log"
BASE=http://127.0.0.1:$PORT/api/v1
NEW_BASE=$BASE
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
row() { # row LABEL WHO PATH: this linli (and the baseline, same requests)
    local total who=$2 tok old="" 
    tok=$STAFF; [ "$who" = street ] && tok=$STREET
    BASE=$NEW_BASE time_get "search" "$tok" "$3"
    total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("total", "-"))' "$DATA/get-search.json")
    local best=$BEST median=$MEDIAN
    if [ -n "$OLD_BASE" ]; then
        tok=$OLD_STAFF; [ "$who" = street ] && tok=$OLD_STREET
        BASE=$OLD_BASE time_get "search-baseline" "$tok" "$3"
        old=$(printf ' %7s | %7s |' "$BEST" "$MEDIAN")
    fi
    ROWS+=("$(printf '| %s | %s | %s | %s | %s |%s' "$1" "$who" "$total" "$best" "$median" "$old")")
}
row "GET /residents/$ID (one resident)" staff "/residents/$ID"
for who in staff street; do
    row "list, first page" $who "/residents?per_page=20"
    row "list, page 300" $who "/residents?per_page=20&page=300"
    row "whole phone number" $who "/residents?q=$PHONE"
    row "whole ID number" $who "/residents?q=$IDNO"
    row "last four phone digits" $who "/residents?q=${PHONE: -4}"
    row "pinyin initial z" $who "/residents?q=z"
    row "pinyin initials zs" $who "/residents?q=zs"
    row "surname 张" $who "/residents?q=$ZHANG"
    row "tag 党员" $who "/residents?tag=$DANGYUAN"
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
if [ -n "$OLD_BASE" ]; then
    echo "baseline: linli at $BASELINE (binary sha256 $(sha256sum "$DATA/linli-baseline" | cut -c1-12)), same db, same requests"
    echo "| query | as | total | best ms | median ms | baseline best | baseline median |"
    echo "|---|---|---:|---:|---:|---:|---:|"
else
    echo "| query | as | total | best ms | median ms |"
    echo "|---|---|---:|---:|---:|"
fi
printf '%s\n' "${ROWS[@]}"
[ -n "$COUNT_MS" ] && echo "for comparison, sqlite3 shell: count(*) of the community's active residents, best $COUNT_MS ms"

if [ -z "${KEEP_DB:-}" ]; then
    bench_cleanup
    rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
fi
