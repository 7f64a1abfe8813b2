#!/usr/bin/env bash
# Builds Tandem if needed and runs the whole test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
./ops/build.sh
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600
