#!/bin/sh
# Runs a command against a throwaway PostgreSQL (scripts/pg.sh): starts a
# cluster, exports LINLI_TEST_PG=1 and LINLI_TEST_PG_URL (its superuser's
# URL) for the command, and stops the cluster however the command ends.
#
#   tests/pg/run.sh build/tests/unit/store_test_store_pg
#   tests/pg/run.sh node --test tests/api/booking.test.mjs
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/linli-pg.XXXXXX")
url=$("$root/scripts/pg.sh" start "$dir" 2>/dev/null) || {
    echo "tests/pg/run.sh: cannot start PostgreSQL" >&2
    rm -rf "$dir"
    exit 1
}
trap '"$root/scripts/pg.sh" stop "$dir"' EXIT INT TERM
LINLI_TEST_PG=1 LINLI_TEST_PG_URL=$url "$@"
