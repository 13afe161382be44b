#!/usr/bin/env bash
# Reproduce the poster's Table 1 (FER2013) on the GPU machine, in stages that fit the device
# tool's limits (10 minutes a command, 15 minutes of device time a session). docs/gpu.md says
# how a session runs it.
#
#   scripts/gpu/table1.sh STAGE [STAGE...]
#
# Stages (in the order `all` runs them):
#   build         configure and build litefer-cli with LITEFER_TORCH_ONLY (LibTorch alone)
#   check         a tiny training on the device: proves CUDA (and bf16 --amp) work before any
#                 real run; falls back to fp32 if --amp fails
#   vgg-pretrain  train VGG-pretrain from scratch
#   retrain       vgg-retrain-v1 and -v2, kept blocks initialised from VGG-pretrain (poster)
#   distill       the same two again, plus distillation from VGG-pretrain as the teacher
#   baselines     xception, mobilenet, mobilenetv2, densenet40 from scratch
#   test          evaluate on test (no TTA, flip, ten-crop) every finished run that was trained
#                 without a test split (when only train + val could travel; docs/gpu.md, plan B)
#   collect       (re)write the results under $OUT (done after every model anyway)
#   lanes         every run of Table 1 at once in four parallel lanes on the one GPU (LANES
#                 below): small 48x48 networks leave most of an H100/H200 idle, so four
#                 processes share it; each run gets a time budget (its share of what is left
#                 to its lane, by recipe weight) and the trainer fits its epochs into it
#                 (`train --time-budget`), so every run ends with a finished model
# Groups: vgg = vgg-pretrain retrain distill; baselines-a = xception mobilenet;
#         baselines-b = densenet40 mobilenetv2; all = build check vgg baselines.
# A single run's name is a stage too (e.g. `xception`, `vgg-retrain-v2-kd`).
# Training stages build, unpack the data and check the device first when that has not been
# done on this machine yet, so `table1.sh vgg` alone works on a fresh machine.
#
# Resuming: a finished run (runs/NAME/metrics.json) is skipped; an interrupted one continues
# from its last epoch checkpoint (--resume). Both only while the machine is the same (a warm
# machine keeps build-gpu/ between calls of one session); a fresh machine starts over.
#
# Time guard: the whole invocation stops starting or continuing work at LITEFER_BUDGET_S
# seconds (default 540) after it started; each training gets `timeout` for what is left, minus
# a reserve for writing the results. Results are rewritten under $OUT after every run, so
# even a command killed from outside leaves what was finished.
#
# Environment:
#   OUT                results folder (the device tool sets it; default $LITEFER_WORK/out)
#   LITEFER_BUDGET_S   wall seconds for this invocation (default 540; smoke: 3600)
#   LITEFER_WORK       runs, data, logs (default build-gpu/work; smoke: /tmp/litefer-smoke/work)
#   LITEFER_BUILD_DIR  CMake build folder (default build-gpu/cmake; smoke: ../build-torchonly)
#   LITEFER_CARRY_DIR  the compressed packed splits (default .carry; see prepare_carry.sh)
#   LITEFER_TORCH_PREFIX  CMAKE_PREFIX_PATH for LibTorch (default: PyTorch's, if python3 has it)
#   LITEFER_DEVICE     cuda (default) or cpu;  LITEFER_AMP  1 (default on cuda) or 0
#   LITEFER_THREADS    CPU threads for LibTorch (default 8; smoke: 2)
#   LITEFER_EPOCHS, LITEFER_BATCH, LITEFER_LIMIT  override every recipe's epochs / batch /
#                      training-image limit (for tests)
#   LITEFER_FIT_CHECK  1 (default on cuda): do not START a run whose estimated time (recipe's
#                      s/epoch x epochs) exceeds what is left; continuing a run is always tried
#   LITEFER_RETURN_MODELS  runs whose model.lfm is copied to $OUT (default: the four v1/v2 runs)
#   LITEFER_LANES      the lanes stage's lanes, one per line (default LANES below)
#   LITEFER_SMOKE=1    CPU smoke test: device cpu, 1 epoch, --limit 256, batch 32, nice'd,
#                      one build job, no fit check
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SCRIPTS="$ROOT/scripts/gpu"
START_TIME=$(date +%s)

# ----------------------------------------------------------------------------------------------
# Recipes: the one place where epochs, batch sizes and learning rates live.
# Common to every run: SGD with Nesterov momentum 0.9, weight decay 5e-4, cosine schedule with
# linear warm-up, label smoothing 0.1, the trainer's default augmentation (shift, zoom, rotation,
# flip, random erasing), seed 1, selection on val accuracy, test once with and without TTA.
# est = seconds per epoch (bf16, batch 128) measured on an H200 on 2026-11-28 with four lanes
# sharing the GPU (docs/results.md), used by the fit check and as the lanes' weights. Alone on
# the GPU a run is faster (vgg-retrain-v2: 5.1 s/epoch with three lanes).
COMMON_OPTS="--optimizer sgd --momentum 0.9 --weight-decay 5e-4 --schedule cosine --label-smoothing 0.1 --seed 1"
KEEP_OPTS="--init-from @VGG --freeze-epochs 3 --finetune-lr-scale 0.1"
KD_OPTS="--teacher @VGG --kd-temperature 4 --kd-weight 0.5"
RECIPES="
# run                network          epochs batch lr     warmup est   extra options
vgg-pretrain         vgg-pretrain     50     128   0.05   2      6.7   -
vgg-retrain-v1       vgg-retrain-v1   30     128   0.02   1      6.8   $KEEP_OPTS
vgg-retrain-v2       vgg-retrain-v2   30     128   0.02   1      5.1   $KEEP_OPTS
vgg-retrain-v1-kd    vgg-retrain-v1   30     128   0.02   1      6.7   $KEEP_OPTS $KD_OPTS
vgg-retrain-v2-kd    vgg-retrain-v2   30     128   0.02   1      5.2   $KEEP_OPTS $KD_OPTS
xception             xception         50     128   0.05   2      25.8  -
mobilenet            mobilenet        50     128   0.05   2      5.8   -
mobilenetv2          mobilenetv2      50     128   0.05   2      15.4  -
densenet40           densenet40       50     128   0.05   2      36.2  -
"
declare -A GROUP
GROUP[retrain]="vgg-retrain-v1 vgg-retrain-v2"
GROUP[distill]="vgg-retrain-v1-kd vgg-retrain-v2-kd"
GROUP[vgg]="vgg-pretrain retrain distill"
GROUP[baselines]="xception mobilenet mobilenetv2 densenet40"
GROUP[baselines-a]="xception mobilenet"
GROUP[baselines-b]="densenet40 mobilenetv2"
GROUP[all]="build check vgg baselines"
# The lanes stage: one line per lane, run in order within a lane; the retrains wait for
# vgg-pretrain wherever it runs. The lanes' recipe weights (est x epochs) are about equal.
LANES=${LITEFER_LANES:-"
vgg-pretrain vgg-retrain-v2-kd vgg-retrain-v1-kd
mobilenetv2 mobilenet vgg-retrain-v2 vgg-retrain-v1
densenet40
xception
"}
DEFAULT_RETURN="vgg-retrain-v1 vgg-retrain-v2 vgg-retrain-v1-kd vgg-retrain-v2-kd"
# ----------------------------------------------------------------------------------------------

SMOKE=${LITEFER_SMOKE:-0}
if [[ "$SMOKE" == 1 ]]; then
    WORK=${LITEFER_WORK:-/tmp/litefer-smoke/work}
    BUILD=${LITEFER_BUILD_DIR:-$(cd "$ROOT/.." && pwd)/build-torchonly}
    BUDGET=${LITEFER_BUDGET_S:-3600}
    DEVICE=${LITEFER_DEVICE:-cpu}
    AMP=${LITEFER_AMP:-0}
    THREADS=${LITEFER_THREADS:-2}
    EPOCHS_OVERRIDE=${LITEFER_EPOCHS:-1}
    BATCH_OVERRIDE=${LITEFER_BATCH:-32}
    LIMIT=${LITEFER_LIMIT:-256}
    FIT_CHECK=${LITEFER_FIT_CHECK:-0}
    JOBS=${LITEFER_JOBS:-1}
    CHECK_LIMIT=64
    CHECK_TIMEOUT=900  # two shared cores can be slow
    NICE=(nice -n 10)
else
    WORK=${LITEFER_WORK:-$ROOT/build-gpu/work}
    BUILD=${LITEFER_BUILD_DIR:-$ROOT/build-gpu/cmake}
    BUDGET=${LITEFER_BUDGET_S:-540}
    DEVICE=${LITEFER_DEVICE:-cuda}
    if [[ "$DEVICE" == cuda ]]; then AMP=${LITEFER_AMP:-1}; else AMP=${LITEFER_AMP:-0}; fi
    THREADS=${LITEFER_THREADS:-8}
    EPOCHS_OVERRIDE=${LITEFER_EPOCHS:-}
    BATCH_OVERRIDE=${LITEFER_BATCH:-}
    LIMIT=${LITEFER_LIMIT:-0}
    if [[ "$DEVICE" == cuda ]]; then FIT_CHECK=${LITEFER_FIT_CHECK:-1}; else FIT_CHECK=${LITEFER_FIT_CHECK:-0}; fi
    JOBS=${LITEFER_JOBS:-$(nproc)}
    CHECK_LIMIT=512
    CHECK_TIMEOUT=120
    NICE=()
fi
CARRY=${LITEFER_CARRY_DIR:-$ROOT/.carry}
OUT=${OUT:-$WORK/out}
RETURN_MODELS=${LITEFER_RETURN_MODELS:-$DEFAULT_RETURN}
CLI="$BUILD/bin/litefer-cli"
DEADLINE=$((START_TIME + BUDGET))
RESERVE=20  # seconds kept back for writing the results after the last training
mkdir -p "$WORK/runs" "$WORK/data" "$WORK/logs" "$OUT"
WORK=$(cd "$WORK" && pwd)
OUT=$(cd "$OUT" && pwd)

LANES_MODE=0
for a in "$@"; do [[ "$a" == lanes ]] && LANES_MODE=1; done
if [[ "$LANES_MODE" == 1 ]]; then
    THREADS=${LITEFER_THREADS:-4}  # four processes on the machine's 16 cores
    FIT_CHECK=0                    # time budgets instead
fi

# Runs "$@" in $WORK under `timeout SECONDS`, output appended to LOGFILE. timeout makes its own
# process group, so a signal to this script is passed on by the trap below.
CHILD=""
guarded() {  # guarded SECONDS LOGFILE COMMAND...
    local secs=$1 logf=$2
    shift 2
    (cd "$WORK" && exec timeout -k 10 "$secs" "${NICE[@]}" "$@") >>"$logf" 2>&1 &
    CHILD=$!
    wait "$CHILD"
    local rc=$?
    CHILD=""
    return $rc
}
trap 'if [[ -n "$CHILD" ]]; then kill -TERM "$CHILD" 2>/dev/null; fi; exit 143' TERM INT HUP

log() { printf '[table1 %4ds] %s\n' $(($(date +%s) - START_TIME)) "$*" >&2; }
left() { echo $((DEADLINE - $(date +%s))); }

recipe() {  # recipe RUN -> "network epochs batch lr warmup est extra..." or fails
    awk -v r="$1" '$1 == r { $1 = ""; sub(/^ /, ""); print; found = 1 } END { exit !found }' \
        <<<"$RECIPES"
}

# ---- build -----------------------------------------------------------------------------------
stage_build() {
    local blog="$WORK/logs/build.log"
    local prefix=${LITEFER_TORCH_PREFIX:-}
    if [[ -z "$prefix" ]] && command -v python3 >/dev/null; then
        prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
    fi
    if [[ -z "${CUDACXX:-}" ]] && ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
        export PATH="/usr/local/cuda/bin:$PATH"  # LibTorch's CMake package looks for the toolkit
    fi
    export TORCH_CUDA_ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-9.0}  # H100/H200; skips arch detection
    local cuda=()
    if command -v nvcc >/dev/null; then
        cuda=(-DCUDAToolkit_ROOT="$(dirname "$(dirname "$(command -v nvcc)")")")
    fi
    local gen=()
    if [[ ! -f "$BUILD/CMakeCache.txt" ]] && command -v ninja >/dev/null; then gen=(-G Ninja); fi
    log "build: configuring $BUILD (LibTorch prefix: ${prefix:-system default})"
    {
        echo "== $(cmake --version | head -1); nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo none)"
        echo "== cmake configure"
        "${NICE[@]}" cmake -S "$ROOT" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
            -DLITEFER_TORCH_ONLY=ON -DBUILD_TESTING=OFF ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} \
            "${cuda[@]}" &&
        echo "== cmake build" &&
        "${NICE[@]}" cmake --build "$BUILD" --target litefer-cli -j "$JOBS"
    } >"$blog" 2>&1
    local rc=$?
    if [[ $rc -ne 0 && -z "${LITEFER_NO_CXX20_RETRY:-}" ]]; then
        # A newer LibTorch may need C++20; the project builds as 17 by default.
        log "build: failed as C++17; trying again as C++20 (first failure in $blog.cxx17)"
        mv "$blog" "$blog.cxx17"
        {
            "${NICE[@]}" cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_STANDARD=20 &&
            "${NICE[@]}" cmake --build "$BUILD" --target litefer-cli -j "$JOBS"
        } >"$blog" 2>&1
        rc=$?
    fi
    if [[ $rc -ne 0 || ! -x "$CLI" ]]; then
        log "build FAILED (rc $rc); last lines of $blog:"
        tail -40 "$blog" >&2
        return 1
    fi
    "$CLI" models --json >"$WORK/models.json"
    log "build: ok ($("$CLI" --version 2>&1 | head -1))"
    write_env
}

write_env() {
    {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "host: $(uname -srm), $(nproc) cores"
        local rev="no git here"
        if git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
            rev="git $(git -C "$ROOT" rev-parse --short HEAD)"
            git -C "$ROOT" diff --quiet HEAD 2>/dev/null || rev="$rev + local changes"
        fi
        echo "litefer: $("$CLI" --version 2>&1 | head -1), $rev"
        echo "mode: device $DEVICE, amp $AMP, threads $THREADS$([[ $SMOKE == 1 ]] && echo ', SMOKE TEST (not results)')"
        if command -v nvidia-smi >/dev/null; then
            echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)"
        fi
        if command -v python3 >/dev/null; then
            python3 -c 'import torch; print("pytorch:", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>/dev/null || true
        fi
    } >"$WORK/env.txt"
}

ensure_build() {
    [[ -x "$CLI" && -f "$WORK/models.json" && -f "$WORK/env.txt" ]] && return 0
    stage_build
}

# ---- data ------------------------------------------------------------------------------------
unxz_to() {  # unxz_to IN.xz OUT
    if command -v xz >/dev/null; then
        xz -dc "$1" >"$2.tmp"
    else
        python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2.tmp"
    fi && mv "$2.tmp" "$2"
}

ensure_data() {
    local s
    for s in train val test; do
        local dst="$WORK/data/$s.lfpack"
        if [[ -f "$dst" && ( ! -f "$CARRY/$s.lfpack.xz" || "$dst" -nt "$CARRY/$s.lfpack.xz" ) ]]; then
            continue
        fi
        if [[ -f "$CARRY/$s.lfpack.xz" ]]; then
            log "data: unpacking $CARRY/$s.lfpack.xz"
            unxz_to "$CARRY/$s.lfpack.xz" "$dst" || { log "data: cannot unpack $s"; return 1; }
        elif [[ -f "$CARRY/$s.lfpack" ]]; then
            cp "$CARRY/$s.lfpack" "$dst"
        fi
    done
    if [[ ! -f "$WORK/data/train.lfpack" || ! -f "$WORK/data/val.lfpack" ]]; then
        log "data: train and val are needed in $CARRY (run scripts/gpu/prepare_carry.sh and carry it)"
        return 1
    fi
    [[ -f "$WORK/data/test.lfpack" ]] || log "data: WARNING no test split: runs report val only"
    return 0
}

# ---- device check ----------------------------------------------------------------------------
stage_check() {
    ensure_build && ensure_data || return 1
    local d="$WORK/check" base=(train --network vgg-retrain-v2 --train data/train.lfpack
        --val data/val.lfpack --epochs 1 --batch 64 --limit "$CHECK_LIMIT" --threads "$THREADS"
        --device "$DEVICE" --no-progress --seed 1)
    rm -rf "$d" "$WORK/logs/check.log"
    if [[ "$AMP" == 1 ]]; then
        log "check: 1 tiny epoch on $DEVICE with --amp"
        if guarded "$CHECK_TIMEOUT" "$WORK/logs/check.log" "$CLI" "${base[@]}" --out check --amp; then
            echo 1 >"$WORK/amp"
            echo "amp: bf16 autocast works (check)" >>"$WORK/env.txt"
            log "check: ok ($(tail -1 "$WORK/check/train_log.jsonl" | cut -c1-120))"
            return 0
        fi
        log "check: --amp FAILED; trying fp32. Log:"
        tail -15 "$WORK/logs/check.log" >&2
        rm -rf "$d"
    fi
    log "check: 1 tiny epoch on $DEVICE (fp32)"
    if guarded "$CHECK_TIMEOUT" "$WORK/logs/check.log" "$CLI" "${base[@]}" --out check; then
        echo 0 >"$WORK/amp"
        echo "amp: off (fp32) after the check" >>"$WORK/env.txt"
        log "check: ok without --amp ($(tail -1 "$WORK/check/train_log.jsonl" | cut -c1-120))"
        return 0
    fi
    log "check FAILED on $DEVICE; log:"
    tail -30 "$WORK/logs/check.log" >&2
    return 1
}

ensure_check() {
    [[ -f "$WORK/amp" ]] && return 0
    stage_check
}

# ---- one training run ------------------------------------------------------------------------
train_run() {  # train_run RUN [TIME_BUDGET_S]
    local run=$1 budget=${2:-} spec
    spec=$(recipe "$run") || { log "unknown run '$run'"; return 1; }
    local network epochs batch lr warmup est extra
    read -r network epochs batch lr warmup est extra <<<"$spec"
    [[ "$extra" == "-" ]] && extra=""
    epochs=${EPOCHS_OVERRIDE:-$epochs}
    batch=${BATCH_OVERRIDE:-$batch}
    local rd="$WORK/runs/$run"
    if [[ -f "$rd/metrics.json" && -f "$rd/model.lfm" ]]; then
        log "$run: finished earlier, skipped"
        return 0
    fi
    mkdir -p "$rd"
    echo "$epochs" >"$rd/planned_epochs"
    if [[ "$extra" == *@VGG* ]]; then
        while [[ "$(cat "$WORK/runs/vgg-pretrain/status" 2>/dev/null)" == running* ]]; do
            sleep 3  # vgg-pretrain is training in another lane
        done
        if [[ ! -f "$WORK/runs/vgg-pretrain/model.lfm" ]]; then
            log "$run: needs a finished vgg-pretrain on this machine; not started"
            echo "not started: vgg-pretrain not finished" >"$rd/status"
            return 1
        fi
        extra=${extra//@VGG/runs/vgg-pretrain/model.lfm}
    fi
    local done_epochs=0
    [[ -f "$rd/train_log.jsonl" ]] && done_epochs=$(grep -c . "$rd/train_log.jsonl")
    local remain=$(( $(left) - RESERVE ))
    if (( remain < 15 )); then
        log "$run: out of time (${remain}s left), not started"
        echo "not started: out of time" >"$rd/status"
        return 1
    fi
    if [[ "$FIT_CHECK" == 1 ]]; then
        local need
        need=$(awk -v e="$epochs" -v d="$done_epochs" -v s="$est" 'BEGIN { printf "%d", (e - d) * s + 30 }')
        if (( done_epochs == 0 && need > remain )); then
            log "$run: estimated ${need}s (recipe est ${est}s/epoch x $epochs) > ${remain}s left; not started"
            echo "not started: estimated ${need}s > ${remain}s left" >"$rd/status"
            return 1
        fi
    fi
    local amp_opt=()
    [[ "$DEVICE" == cuda && "$(cat "$WORK/amp" 2>/dev/null)" == 1 && -z "${FORCE_FP32:-}" ]] && amp_opt=(--amp)
    local test_opt=()
    [[ -f "$WORK/data/test.lfpack" ]] && test_opt=(--test data/test.lfpack)
    local limit_opt=()
    [[ "$LIMIT" != 0 ]] && limit_opt=(--limit "$LIMIT")
    local budget_opt=()
    if [[ -n "$budget" ]]; then
        (( budget > remain )) && budget=$remain
        budget_opt=(--time-budget "$budget")
    fi
    # shellcheck disable=SC2206  # $COMMON_OPTS and $extra are option lists, split on purpose
    local cmd=("$CLI" train --network "$network" --train data/train.lfpack --val data/val.lfpack
        "${test_opt[@]}" --out "runs/$run" --epochs "$epochs" --batch "$batch" --lr "$lr"
        --warmup "$warmup" $COMMON_OPTS $extra --threads "$THREADS" --device "$DEVICE"
        "${amp_opt[@]}" "${limit_opt[@]}" "${budget_opt[@]}" --resume --no-progress)
    log "$run: epochs $done_epochs/$epochs done; training with ${remain}s left${budget:+, time budget ${budget}s}"
    echo "${cmd[*]}" >>"$rd/commands.txt"
    echo "running" >"$rd/status"
    local t0 rc
    t0=$(date +%s)
    guarded "$remain" "$rd/train.log" "${cmd[@]}"
    rc=$?
    local took=$(( $(date +%s) - t0 )) now_epochs=0
    [[ -f "$rd/train_log.jsonl" ]] && now_epochs=$(grep -c . "$rd/train_log.jsonl")
    if [[ $rc -eq 0 && -f "$rd/metrics.json" ]]; then
        echo "finished" >"$rd/status"
        grep -q "epochs fit" "$rd/train.log" &&
            echo "finished: $(grep "epochs fit" "$rd/train.log" | tail -1)" >"$rd/status"
        log "$run: finished in ${took}s: $(grep -E '^test \(|^best epoch' "$rd/train.log" | tail -4 | tr '\n' ';')"
        return 0
    elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
        echo "interrupted by the time guard after epoch $now_epochs of $epochs (rerun the stage to resume)" >"$rd/status"
        log "$run: time guard stopped it after epoch $now_epochs/$epochs (${took}s)"
    else
        echo "failed (rc $rc) after epoch $now_epochs of $epochs; see train.log" >"$rd/status"
        log "$run: FAILED (rc $rc); last lines of train.log:"
        tail -15 "$rd/train.log" >&2
        if [[ ${#amp_opt[@]} -gt 0 ]]; then
            log "$run: retrying once without --amp"
            FORCE_FP32=1 train_run "$run" "$budget"
            return $?
        fi
    fi
    return 1
}

# ---- every run at once, in lanes -------------------------------------------------------------
collect_locked() { (flock 9; stage_collect) 9>"$WORK/collect.lock"; }

weight() {  # weight RUN -> est x epochs (the recipe's guess of its seconds)
    local network epochs batch lr warmup est extra
    read -r network epochs batch lr warmup est extra <<<"$(recipe "$1")"
    awk -v e="${EPOCHS_OVERRIDE:-$epochs}" -v s="$est" 'BEGIN { printf "%d", e * s + 1 }'
}

run_lane() {  # run_lane RUN... : in order, each with its share of the time left
    trap 'if [[ -n "$CHILD" ]]; then kill -TERM "$CHILD" 2>/dev/null; fi; exit 143' TERM INT HUP
    local runs=("$@") i bad=0
    for ((i = 0; i < ${#runs[@]}; ++i)); do
        local run=${runs[$i]} total=0 r
        if [[ "$(recipe "$run")" == *@VGG* ]]; then
            while [[ "$(cat "$WORK/runs/vgg-pretrain/status" 2>/dev/null)" == running* ]]; do
                sleep 3
            done
        fi
        for r in "${runs[@]:$i}"; do total=$((total + $(weight "$r"))); done
        local share=$(( ($(left) - RESERVE) * $(weight "$run") / total ))
        train_run "$run" "$share" || bad=$((bad + 1))
        collect_locked
    done
    return $bad
}

stage_lanes() {
    ensure_build && ensure_data && ensure_check || return 1
    local lane pids=() n=0 bad=0 p
    while read -r lane; do
        [[ -z "$lane" ]] && continue
        local r
        for r in $lane; do  # vgg-pretrain's status says "running" before any lane waits on it
            [[ $r == vgg-pretrain && ! -f "$WORK/runs/$r/metrics.json" ]] &&
                mkdir -p "$WORK/runs/$r" && echo "running (queued)" >"$WORK/runs/$r/status"
        done
        # shellcheck disable=SC2086  # a lane is a list of run names
        run_lane $lane &
        pids+=($!)
        n=$((n + 1))
    done <<<"$LANES"
    log "lanes: $n lanes started, threads $THREADS each"
    for p in "${pids[@]}"; do wait "$p" || bad=$((bad + $?)); done
    return $bad
}

# ---- test evaluation of runs trained without a test split --------------------------------------
stage_test() {
    ensure_build && ensure_data || return 1
    if [[ ! -f "$WORK/data/test.lfpack" ]]; then
        log "test: no test split in $CARRY; carry test.lfpack.xz"
        return 1
    fi
    local rd run n=0 bad=0
    for rd in "$WORK"/runs/*/; do
        run=$(basename "$rd")
        [[ -f "$rd/model.lfm" && -f "$rd/metrics.json" ]] || continue
        grep -q '"test"' "$rd/metrics.json" && continue  # tested by the trainer
        [[ -s "$rd/test_eval.json" ]] && continue
        local remain=$(( $(left) - RESERVE ))
        if (( remain < 10 )); then
            log "test: out of time before $run"
            return 1
        fi
        log "test: evaluating $run"
        rm -f "$rd/test_eval.out" "$rd/test_eval.log"
        # stdout (the JSON) and stderr (messages) kept apart
        # shellcheck disable=SC2016  # expanded by the inner bash
        if guarded "$remain" "$rd/test_eval.out" bash -c '"$@" 2>"$0"' "runs/$run/test_eval.log" \
            "$CLI" eval --model "runs/$run/model.lfm" --data data/test.lfpack --tta all --json \
            --device "$DEVICE" --threads "$THREADS" --confusion-png "runs/$run/confusion_test.png" &&
            mv "$rd/test_eval.out" "$rd/test_eval.json"; then
            n=$((n + 1))
        else
            log "test: $run FAILED; see runs/$run/test_eval.log"
            bad=$((bad + 1))
        fi
    done
    log "test: $n run(s) evaluated, $bad failed"
    [[ $bad -eq 0 ]]
}

# ---- results ---------------------------------------------------------------------------------
# $OUT may hold at most 8 files, 16 MiB each, 64 MiB together (the device tool's limits).
stage_collect() {
    local max_files=8 max_file=$((16 * 1024 * 1024)) max_total=$((64 * 1024 * 1024))
    local stage="$WORK/collect"
    rm -rf "$stage" && mkdir -p "$stage/runs"
    python3 "$SCRIPTS/summarize.py" --json "$WORK/summary.json" "$WORK" >"$WORK/summary.md" 2>"$WORK/logs/summarize.log" ||
        log "collect: summarize.py failed (see logs/summarize.log)"
    local f
    for f in summary.md summary.json env.txt models.json; do
        [[ -f "$WORK/$f" ]] && cp "$WORK/$f" "$stage/"
    done
    printf '%s\n' "$RECIPES" "COMMON_OPTS=$COMMON_OPTS" >"$stage/recipes.txt"
    mkdir -p "$stage/logs" && cp "$WORK"/logs/*.log "$stage/logs/" 2>/dev/null
    local rd
    for rd in "$WORK"/runs/*/; do
        local run
        run=$(basename "$rd")
        mkdir -p "$stage/runs/$run"
        for f in metrics.json model.json train_log.jsonl curve.png confusion_test.png train.log \
                 status planned_epochs commands.txt test_eval.json test_eval.log; do
            [[ -f "$rd/$f" ]] && cp "$rd/$f" "$stage/runs/$run/"
        done
    done
    rm -f "$OUT"/table1-results.tar.gz "$OUT"/summary.md "$OUT"/*.lfm
    tar -czf "$OUT/table1-results.tar.gz" -C "$stage" . || log "collect: tar failed"
    cp "$WORK/summary.md" "$OUT/summary.md" 2>/dev/null
    local count total
    count=$(find "$OUT" -maxdepth 1 -type f | wc -l)
    total=$(find "$OUT" -maxdepth 1 -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    local run
    for run in $RETURN_MODELS; do
        local m="$WORK/runs/$run/model.lfm"
        [[ -f "$m" && -f "$WORK/runs/$run/metrics.json" ]] || continue
        local size
        size=$(stat -c %s "$m")
        if (( count + 1 > max_files || size > max_file || total + size > max_total )); then
            log "collect: $run.lfm ($size bytes) left out: over the \$OUT limits"
            continue
        fi
        cp "$m" "$OUT/$run.lfm"
        count=$((count + 1)); total=$((total + size))
    done
    log "collect: $OUT holds $count files, $total bytes: $(find "$OUT" -maxdepth 1 -type f -printf '%f ')"
}

# ---- main ------------------------------------------------------------------------------------
expand() {  # expand STAGE -> run names / stage words
    if [[ -n "${GROUP[$1]:-}" ]]; then
        local x
        for x in ${GROUP[$1]}; do expand "$x"; done
    else
        echo "$1"
    fi
}

# The whole run is one function, called on the last line: bash has then read the entire file
# before anything runs, so editing the script during a run cannot derail it.
main() {
    if [[ $# -eq 0 || "$1" == -h || "$1" == --help ]]; then
        sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
        exit 0
    fi

    local steps=() a s failed=0
    for a in "$@"; do
        for s in $(expand "$a"); do steps+=("$s"); done
    done
    log "plan: ${steps[*]} (budget ${BUDGET}s, device $DEVICE, work $WORK, out $OUT)"

    for s in "${steps[@]}"; do
        case "$s" in
            build) stage_build || { stage_collect; exit 1; } ;;
            check) stage_check || { stage_collect; exit 1; } ;;
            collect) ;;
            test) stage_test || failed=$((failed + 1)) ;;
            lanes) stage_lanes || failed=$((failed + $?)) ;;
            *)
                if ! recipe "$s" >/dev/null; then
                    log "unknown stage or run '$s' (see --help)"
                    exit 2
                fi
                if ! ensure_build || ! ensure_data || ! ensure_check; then
                    stage_collect
                    exit 1
                fi
                train_run "$s" || failed=$((failed + 1))
                stage_collect
                ;;
        esac
    done
    stage_collect
    log "done: $failed run(s) not finished; $(left)s of the budget left"
    [[ $failed -eq 0 ]]
}

main "$@"
exit $?
