#!/bin/sh
# Installs what linli needs and is missing: Debian packages (apt-get) and the
# npm packages of package-lock.json (npm ci). Quiet and quick when all is there.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config meson ninja-build python3 libmicrohttpd-dev libjansson-dev
libsqlite3-dev sqlite3 libsodium-dev libicu-dev libxlsxwriter-dev libcmocka-dev libzip-dev
libxml2-dev libqrencode-dev libmagic-dev libcurl4-openssl-dev libcairo2-dev libpango1.0-dev
libespeak-ng-dev espeak-ng-data libvorbis-dev libogg-dev postgresql-15 libpq-dev
nginx libnginx-mod-http-brotli-static pgbouncer
chromium fonts-noto-cjk osmium-tool python3-requests python3-simplejson python3-jieba python3-numpy"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"

if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "deps: installing Debian packages:$missing"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi

# npm ci when node_modules is missing or older than the lock file
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
fi
