#!/usr/bin/env bash
# Runs the official Azure SDK for Python (tests/interop/python) against kv-emulator.
# The Rust runner creates a venv under target/ with tests/interop/python/requirements.txt,
# installs and starts Azurite for the backup tests, and runs pytest with the emulator binary.
set -euo pipefail
cd "$(dirname "$0")/../../.."
exec cargo test -p kv-emulator --test python_interop -- --nocapture "$@"
