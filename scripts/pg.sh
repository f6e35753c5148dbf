#!/bin/sh
# A throwaway PostgreSQL 15 for tests and development: a cluster in a
# temporary directory, listening on a unix socket in that directory and on a
# free TCP port of 127.0.0.1 only, with trust authentication for one
# superuser, "linli". No system service, nothing outside the directory.
#
#   url=$(scripts/pg.sh start)        # prints postgresql://linli@127.0.0.1:PORT/linli
#   scripts/pg.sh status [DIR]
#   scripts/pg.sh stop [DIR]          # stops the server and removes DIR
#
# DIR is $LINLI_PG_DIR if set, else a new mktemp directory for start; stop
# and status read it from $LINLI_PG_DIR or their argument. start prints the
# directory on stderr and writes the URL to DIR/url.
#
# initdb refuses to run as root, so as root the server runs as an
# unprivileged account ($LINLI_PG_USER, else "postgres" when it exists,
# else "nobody") that owns DIR; clients still connect over TCP as "linli".
# Packages: postgresql-15 (or Debian's "postgresql" of the same major),
# which ships btree_gist, and libpq-dev for the build; scripts/deps.sh
# installs them.
set -eu

PGBIN=${PGBIN:-}
if [ -z "$PGBIN" ]; then
    for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
        if [ -x "$d/initdb" ]; then
            PGBIN=$d
            break
        fi
    done
fi
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    echo "pg: initdb not found; run scripts/deps.sh (it installs postgresql-15)" >&2
    exit 1
fi

run_as=""
if [ "$(id -u)" -eq 0 ]; then
    run_as=${LINLI_PG_USER:-}
    if [ -z "$run_as" ]; then
        if id postgres >/dev/null 2>&1; then run_as=postgres; else run_as=nobody; fi
    fi
fi

# Runs a PostgreSQL program as the cluster's owner.
as_owner() {
    if [ -n "$run_as" ]; then
        runuser -u "$run_as" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cmd=${1:-}
[ $# -gt 0 ] && shift

case "$cmd" in
start)
    dir=${1:-${LINLI_PG_DIR:-}}
    if [ -z "$dir" ]; then
        dir=$(mktemp -d "${TMPDIR:-/tmp}/linli-pg.XXXXXX")
    fi
    mkdir -p "$dir"
    [ -n "$run_as" ] && chown "$run_as" "$dir"
    as_owner "$PGBIN/initdb" -D "$dir/data" -U linli --auth=trust --encoding=UTF8 \
        --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    # Tests build and drop many databases: durability buys nothing here.
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
log_min_messages = warning
EOF
    for try in 1 2 3; do
        port=$(free_port)
        if as_owner "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            -o "-p $port" start >/dev/null; then
            break
        fi
        port=""
    done
    if [ -z "$port" ]; then
        cat "$dir/server.log" >&2
        exit 1
    fi
    "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U linli linli
    url="postgresql://linli@127.0.0.1:$port/linli"
    echo "$url" >"$dir/url"
    echo "pg: PostgreSQL in $dir (stop: scripts/pg.sh stop $dir)" >&2
    echo "$url"
    ;;
status)
    dir=${1:-${LINLI_PG_DIR:?pg: status needs DIR or LINLI_PG_DIR}}
    as_owner "$PGBIN/pg_ctl" -D "$dir/data" status
    ;;
stop)
    dir=${1:-${LINLI_PG_DIR:?pg: stop needs DIR or LINLI_PG_DIR}}
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    # Only ever a directory this script made: it has our url file or data.
    if [ -f "$dir/url" ] || [ -d "$dir/data" ]; then
        rm -rf "$dir"
    fi
    ;;
*)
    echo "usage: scripts/pg.sh start [DIR] | status [DIR] | stop [DIR]" >&2
    exit 2
    ;;
esac
