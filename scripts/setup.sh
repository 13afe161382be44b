#!/usr/bin/env bash
# Sets LiteFER up on a fresh Debian 12 machine: installs the Debian packages it needs (with sudo
# when not root; skipped when all are present), configures a Release build in build/ and builds
# everything. Safe to run again: later runs only rebuild what changed.
#
#   LITEFER_BUILD_DIR   build folder (default: build)
#   LITEFER_JOBS        parallel compile jobs (default: number of cores)
#   LITEFER_SETUP_HARDENING=1   also install what the hardening jobs of .ci/run need
#                       (docs/reliability.md): clang 14 with its runtimes (libFuzzer,
#                       sanitizers) for fuzzing, and strace for the no-network test in
#                       tests/test_soak.cpp; gcc's ASan/UBSan come with build-essential
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential cmake ninja-build pkg-config
    qt6-base-dev qt6-multimedia-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev
    libopencv-dev opencv-data
    libtorch-dev libopenblas0-pthread
    catch2
    gstreamer1.0-plugins-base gstreamer1.0-plugins-good
)
if [ "${LITEFER_SETUP_HARDENING:-0}" = 1 ]; then
    # libclang-rt-14-dev holds libFuzzer and clang's sanitizer runtimes; clang-14 only
    # recommends it, and recommends are not installed below.
    PACKAGES+=(clang-14 libclang-rt-14-dev strace)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        SUDO="sudo"
    fi
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

BUILD_DIR="${LITEFER_BUILD_DIR:-build}"
JOBS="${LITEFER_JOBS:-$(nproc)}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$BUILD_DIR" -j"$JOBS"
