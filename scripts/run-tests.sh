#!/bin/sh
# Runs every test suite under the sanitizers and prints one closing line:
# "N passed, M failed" counted over individual test cases.
set -u
cd "$(dirname "$0")/.."
dir=${1:-build-san}
shift 2>/dev/null || true

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=23}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0}"

meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
rc=$?
python3 scripts/test-summary.py "$dir/meson-logs/testlog.json"
exit $rc
