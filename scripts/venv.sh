#!/usr/bin/env bash
# Create .venv at the repository root when it is missing, and (re)install the
# package with the extras named in $1 whenever pyproject.toml has changed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
extras="${1:-keras,notebook}"
venv="$root/.venv"

if [ ! -x "$venv/bin/python" ]; then
    python="$(command -v python3.11 || command -v python3)"
    echo "creating $venv with $("$python" --version)" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

stamp="$venv/.installed-$(echo "$extras" | tr ',' '-')-$(sha1sum "$root/pyproject.toml" | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "installing fcnet-magic[$extras] into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root[$extras]"
    touch "$stamp"
fi
