#!/usr/bin/env bash
# Runs the official Python SDK against kv-emulator.
# Needs: python3 -m pip install -r tests/interop/python/requirements.txt
# (cargo test -p kv-emulator --test python_interop does all of this in a venv by itself)
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build -p kv-emulator
exec python3 -m pytest -q tests/interop/python "$@"
