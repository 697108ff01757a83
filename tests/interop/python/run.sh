#!/usr/bin/env bash
# Runs the official Python SDK against kv-emulator.
# Needs: python3 -m pip install azure-keyvault-keys azure-identity cryptography pytest
set -euo pipefail
cd "$(dirname "$0")/../../.."
cargo build -p kv-emulator
exec python3 -m pytest -q tests/interop/python "$@"
