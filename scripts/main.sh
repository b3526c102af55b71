#!/usr/bin/env bash
# Set up .venv if needed, then run the main job on the shipped default data.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/venv.sh keras,notebook
.venv/bin/python scripts/run_examples.py "$@"
