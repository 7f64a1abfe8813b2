#!/usr/bin/env bash
# Configures (once) and builds Tandem in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
build_type="${TANDEM_BUILD_TYPE:-RelWithDebInfo}"
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type"
fi
cmake --build build -j "$(nproc)"
