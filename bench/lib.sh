# Shared helpers for bench/*/run.sh (sourced, not run). Bash only.
# Everything runs on 127.0.0.1 and ports picked from 18xxx; every process
# started here is remembered in BENCH_PIDS and stopped by bench_cleanup.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
LINLI=$ROOT/build/linli
DATA=$BENCH_DIR/.data
WRK_ARGS=(-t2 -c64 -d10s --latency)
BENCH_PIDS=()
mkdir -p "$DATA"

die() { echo "bench: $*" >&2; exit 1; }

need() { for c in "$@"; do command -v "$c" >/dev/null || die "missing command: $c"; done; }

build_linli() {
    # The release-ish build (debugoptimized, no sanitizers); never build-san.
    (cd "$ROOT" && ninja -C build >/dev/null) || die "ninja -C build failed"
    [ -x "$LINLI" ] || die "no $LINLI"
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

# login PORT: prints the staff token.
login() {
    curl -s -H 'Content-Type: application/json' \
        -d '{"username":"staff","password":"linli2026"}' \
        "http://127.0.0.1:$1/api/v1/auth/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# start_time_best PORT DB: best of 5 starts, exec -> first 200 on /api/v1/health.
start_time_best() {
    local port=$1 db=$2 best= ms
    for _ in 1 2 3 4 5; do
        ms=$(python3 "$BENCH_DIR/starttime.py" "$port" /api/v1/health 30 -- \
            "$LINLI" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 --log-level warn) ||
            die "start time: linli did not answer"
        START_TIMES+=("$ms")
        if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $ms < $best else 1)"; then best=$ms; fi
    done
    echo "$best"
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

# run_wrk NAME URL LUA: runs wrk, keeps its output in $DATA/wrk-NAME.txt and
# sets RPS P50 P99 (ms) and BAD (non-2xx + socket errors).
run_wrk() {
    local name=$1 url=$2 lua=$3 out=$DATA/wrk-$1.txt line
    timeout 60 wrk "${WRK_ARGS[@]}" -s "$lua" "$url" >"$out" 2>&1 || die "wrk $name failed: $(tail -3 "$out")"
    line=$(grep '^RESULT ' "$out") || die "wrk $name: no result line"
    read -r _ n dur p50 p99 non2xx err <<<"$line"
    RPS=$(python3 -c "print('%.0f' % ($n / ($dur / 1e6)))")
    P50=$(python3 -c "print('%.2f' % ($p50 / 1000))")
    P99=$(python3 -c "print('%.2f' % ($p99 / 1000))")
    BAD=$((non2xx + err))
    [ "$BAD" -eq 0 ] || echo "bench: warning: $name had $non2xx non-2xx answers and $err socket errors" >&2
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
