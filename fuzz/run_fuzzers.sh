#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + coverage, in build-fuzz/) and runs each
# for a bounded time, starting from its seed corpus fuzz/corpus/<target>/. New inputs go to
# build-fuzz/fuzz-work/<target>/corpus (not into the repository). A crash, leak, timeout or
# sanitizer report stops that target with its input copied to fuzz/crashes/<target>/ (commit it:
# the fuzz_replay_<target> CTest then replays it in every build) and the script exits 1.
#
#   fuzz/run_fuzzers.sh [SECONDS_PER_TARGET] [TARGET...]    (default 60 s, every target)
#
#   LITEFER_FUZZ_BUILD_DIR  build folder (default: build-fuzz)
#   LITEFER_JOBS            parallel compile jobs (default: number of cores)
#   LITEFER_FUZZ_FLAGS      extra libFuzzer flags, e.g. "-jobs=2 -workers=2" or "-max_len=20000"
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"
shift || true
BUILD="${LITEFER_FUZZ_BUILD_DIR:-build-fuzz}"
JOBS="${LITEFER_JOBS:-$(nproc)}"
CXX_BIN="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$CXX_BIN" ]; then
    echo "run_fuzzers: clang++ not found (LITEFER_SETUP_HARDENING=1 ./scripts/setup.sh installs it)" >&2
    exit 1
fi

# The compiler is chosen once per build folder (changing it makes CMake drop the whole cache).
compiler_flag=(-DCMAKE_CXX_COMPILER="$CXX_BIN")
if grep -q '^CMAKE_CXX_COMPILER:' "$BUILD/CMakeCache.txt" 2>/dev/null; then
    compiler_flag=()
fi
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${compiler_flag[@]}" \
    -DLITEFER_FUZZ=ON -DLITEFER_BUILD_GUI=OFF -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD" --target fuzzers -j"$JOBS"

if (($# == 0)); then
    set --
    for f in fuzz/targets/*.cpp; do
        t="$(basename "$f" .cpp)"
        if [ -x "$BUILD/bin/fuzz_$t" ]; then
            set -- "$@" "$t"
        fi
    done
fi

# Leaks are checked (libFuzzer's -detect_leaks=1 default); UBSan findings are fatal.
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
export OMP_NUM_THREADS=1

summary="$BUILD/fuzz-work/summary.txt"
mkdir -p "$BUILD/fuzz-work"
: >"$summary"
status=0
for t in "$@"; do
    work="$BUILD/fuzz-work/$t"
    mkdir -p "$work/corpus" "$work/artifacts"
    log="$work/fuzz.log"
    echo "== fuzz_$t: ${SECONDS_PER_TARGET} s"
    set +e
    # shellcheck disable=SC2086  # LITEFER_FUZZ_FLAGS is a list of flags
    "$BUILD/bin/fuzz_$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=20 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/artifacts/" ${LITEFER_FUZZ_FLAGS:-} \
        "$work/corpus" "fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    set -e
    execs="$(grep -Eo 'stat::number_of_executed_units: +[0-9]+' "$log" | tail -1 | awk '{print $2}')"
    rate="$(grep -Eo 'stat::average_exec_per_sec: +[0-9]+' "$log" | tail -1 | awk '{print $2}')"
    cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)"
    if [ "$rc" -ne 0 ]; then
        status=1
        mkdir -p "fuzz/crashes/$t"
        cp "$work"/artifacts/* "fuzz/crashes/$t/" 2>/dev/null || true
        echo "fuzz_$t: FAILED (exit $rc); input(s) copied to fuzz/crashes/$t/; report:" >&2
        grep -A40 -E '==ERROR|runtime error|fuzz contract|terminate called|deadly signal' "$log" |
            head -60 >&2 || tail -40 "$log" >&2
        echo "fuzz_$t failed rc=$rc execs=${execs:-?} ${cov}" >>"$summary"
    else
        echo "fuzz_$t ok execs=${execs:-?} (${rate:-?}/s) ${cov}" >>"$summary"
    fi
done
cat "$summary"
exit "$status"
