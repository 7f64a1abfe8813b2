#!/usr/bin/env bash
# Installs Tandem's build dependencies from Debian 12 packages and builds it.
# Safe to run again: apt skips what is installed, CMake rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git clang-format
  librocksdb-dev flatbuffers-compiler libflatbuffers-dev
  libboost1.81-all-dev librdkafka-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libssl-dev zlib1g-dev libgoogle-perftools-dev
  kcat python3-confluent-kafka jq curl
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

./ops/build.sh
