#!/usr/bin/env bash
# Regenerates the seed corpus fuzz/corpus/<target>/ with the project's own writers
# (fuzz/make_seeds.cpp). Seeds are small (a few KB) and committed; run this after a format
# changes, then check the new seeds with `ctest --test-dir build -L fuzz`.
#
#   fuzz/make_seeds.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
cmake --build "$BUILD_DIR" --target fuzz_make_seeds -j"${LITEFER_JOBS:-2}"
"$BUILD_DIR/bin/fuzz_make_seeds" fuzz/corpus resources/models/vgg-lite-fer2013.lfm
find fuzz/corpus -type f -size +8k -printf 'warning: large seed %p (%s bytes)\n'
