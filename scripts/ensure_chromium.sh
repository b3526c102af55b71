#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests.
#
# The tests drive /usr/bin/chromium through Playwright instead of a browser
# downloaded by Playwright. This script does nothing when Chromium is already
# there; otherwise it installs the Debian package with apt-get. It prints only
# on failure and exits non-zero when Chromium cannot be installed.
set -euo pipefail

find_chromium() {
    if [ -x /usr/bin/chromium ]; then
        echo /usr/bin/chromium
    else
        command -v chromium || true
    fi
}

if [ -n "$(find_chromium)" ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "ensure_chromium: Chromium is missing and installing it needs root;" \
        "run 'apt-get install chromium' as root, then try again." >&2
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: Chromium is missing and apt-get is not available;" \
        "install Chromium so that 'chromium' is on PATH." >&2
    exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { "${as_root[@]}" apt-get update -qq \
        && "${as_root[@]}" apt-get install -y -qq chromium
    } >"$log" 2>&1; then
    echo "ensure_chromium: 'apt-get install chromium' failed; its output:" >&2
    tail -n 20 "$log" >&2
    exit 1
fi

if [ -z "$(find_chromium)" ]; then
    echo "ensure_chromium: apt-get finished but no 'chromium' is on PATH." >&2
    exit 1
fi
