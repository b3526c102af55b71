#!/usr/bin/env bash
# Set up .venv if needed, then lint and run the whole test suite, browser
# tests included. Extra arguments go to pytest.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/venv.sh test
bash scripts/ensure_chromium.sh

# One BLAS thread: the tests' matrices are small, and two threads contending
# with a busy second core (a kernel, the browser) run many times slower.
export OPENBLAS_NUM_THREADS=1

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python -m pytest "$@"
