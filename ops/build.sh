#!/usr/bin/env bash
# Configures (once) and builds Tandem in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
build_type="${TANDEM_BUILD_TYPE:-RelWithDebInfo}"
# A configure that failed (a package missing) leaves a cache but no build system: configure again.
if [ ! -f build/CMakeCache.txt ] || { [ ! -f build/Makefile ] && [ ! -f build/build.ninja ]; }; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type"
fi
cmake --build build -j "$(nproc)"
