#!/bin/sh
# Runs every test suite under the sanitizers and prints one closing line:
# "N passed, M failed" counted over individual test cases.
#
# The API suites run twice: on SQLite (api-NAME) and on PostgreSQL 15
# (api-pg-NAME). For these this starts one throwaway PostgreSQL cluster
# (scripts/pg.sh) for the whole run, exports its URL as LINLI_TEST_PG_URL
# (each server makes its own database in it), and stops it however the run
# ends. Without PostgreSQL the api-pg tests fail, saying why.
set -u
cd "$(dirname "$0")/.."
dir=${1:-build-san}
shift 2>/dev/null || true

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}"

pgdir=""
stop_pg() {
    if [ -n "$pgdir" ]; then
        scripts/pg.sh stop "$pgdir"
        pgdir=""
    fi
}
if [ -z "${LINLI_TEST_PG_URL:-}" ]; then
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/linli-pg.XXXXXX")
    trap stop_pg EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if url=$(scripts/pg.sh start "$pgdir"); then
        export LINLI_TEST_PG_URL="$url"
    else
        echo "run-tests: cannot start PostgreSQL: the api-pg tests will fail" >&2
        rm -rf "$pgdir"
        pgdir=""
    fi
fi

meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
rc=$?
stop_pg
python3 scripts/test-summary.py "$dir/meson-logs/testlog.json"
exit $rc
