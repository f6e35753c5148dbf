#!/bin/sh
# Runs a command against PostgreSQL with LINLI_TEST_PG=1 and LINLI_TEST_PG_URL
# (a superuser's URL) exported. When LINLI_TEST_PG_URL is already set (as
# scripts/run-tests.sh sets it: one cluster for the whole run), the command
# uses that cluster; otherwise this starts a throwaway one (scripts/pg.sh)
# and stops it however the command ends. Without PostgreSQL it fails, saying
# why: a PostgreSQL test never passes by skipping.
#
#   tests/pg/run.sh build/tests/unit/store_test_store_pg
#   tests/pg/run.sh node --test tests/api/booking.test.mjs
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${LINLI_TEST_PG_URL:-}" ]; then
    LINLI_TEST_PG=1 exec "$@"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/linli-pg.XXXXXX")
url=$("$root/scripts/pg.sh" start "$dir" 2>"$dir.log") || {
    cat "$dir.log" >&2
    echo "tests/pg/run.sh: cannot start PostgreSQL" >&2
    rm -rf "$dir" "$dir.log"
    exit 1
}
rm -f "$dir.log"
trap '"$root/scripts/pg.sh" stop "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
LINLI_TEST_PG=1 LINLI_TEST_PG_URL=$url "$@"
