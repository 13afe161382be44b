#!/usr/bin/env bash
# Compress the packed FER2013 splits into the folder a GPU session carries (default .carry/,
# which must be git-ignored), and check that repository + carry fit the device tool's 64 MiB.
#
#   scripts/gpu/prepare_carry.sh [PACK_DIR [CARRY_DIR]]
#
# PACK_DIR holds train.lfpack, val.lfpack, test.lfpack (default /tmp/fer-pack, made by
# `litefer-cli pack --source ../shared/data/fer2013 --out /tmp/fer-pack`). Writes
# CARRY_DIR/{train,val,test}.lfpack.xz; a file newer than its source is kept.
#
# Compression: xz with a delta filter over 48 bytes (one image row: the pixel above) before
# LZMA2 preset 9e, about 3 % smaller than plain `xz -9` on these images. Every xz decodes it,
# and table1.sh falls back to Python's lzma where xz is missing. Single-threaded and nice'd:
# about a minute for train on one core.
#
# Why all three splits travel: the protocol selects the epoch on val and reports test once,
# on the GPU machine (models such as Xception are too big to bring back and test here). The
# three compressed splits take ~62 MiB, the tracked repository well under 1 MiB; the script
# fails if the total (carry + every file git would copy: tracked and untracked-not-ignored)
# exceeds LITEFER_CARRY_LIMIT_MIB (default 64).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACK=${1:-/tmp/fer-pack}
CARRY=${2:-$ROOT/.carry}
LIMIT_MIB=${LITEFER_CARRY_LIMIT_MIB:-64}
XZ_FILTERS=(--delta=dist=48 --lzma2=preset=9e)

mkdir -p "$CARRY"
for s in train val test; do
    src="$PACK/$s.lfpack"
    dst="$CARRY/$s.lfpack.xz"
    if [[ ! -f "$src" ]]; then
        echo "prepare_carry: missing $src (make it with: litefer-cli pack --source ../shared/data/fer2013 --out $PACK)" >&2
        exit 1
    fi
    if [[ -f "$dst" && "$dst" -nt "$src" ]]; then
        echo "prepare_carry: $dst is up to date"
        continue
    fi
    echo "prepare_carry: compressing $src"
    nice -n 10 xz -T1 -c "${XZ_FILTERS[@]}" "$src" >"$dst.tmp"
    xz -t "$dst.tmp"
    mv "$dst.tmp" "$dst"
done
(cd "$CARRY" && sha256sum train.lfpack.xz val.lfpack.xz test.lfpack.xz >SHA256SUMS)

carry_bytes=$(find "$CARRY" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
repo_bytes=0
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    # What the device tool copies besides the carry: tracked files and untracked files git does
    # not ignore (the carry folder itself left out: it is counted above).
    rel=$(realpath --relative-to="$ROOT" "$CARRY")
    repo_bytes=$(cd "$ROOT" && git ls-files -z -co --exclude-standard -- . ":(exclude)$rel" |
        xargs -0 -r stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
    if [[ "$rel" != ..* ]] && ! git -C "$ROOT" check-ignore -q "$rel/train.lfpack.xz"; then
        echo "prepare_carry: WARNING $rel/ is not git-ignored: add '/$rel/' to .gitignore or" \
             ".git/info/exclude, or 60 MiB of data may be committed" >&2
    fi
fi
limit=$((LIMIT_MIB * 1024 * 1024))
size() { stat -c %s "$CARRY/$1"; }
tv_bytes=$(( $(size train.lfpack.xz) + $(size val.lfpack.xz) ))
mib() { echo "$1 / 1048576" | bc -l | xargs printf '%.1f'; }
ls -l "$CARRY"
echo "prepare_carry: carry folder $carry_bytes bytes ($(mib "$carry_bytes") MiB; train + val alone" \
     "$(mib "$tv_bytes") MiB), repository files that travel $repo_bytes bytes ($(mib "$repo_bytes") MiB)"
rel=$(realpath --relative-to="$ROOT" "$CARRY")
if ((carry_bytes + repo_bytes <= limit)); then
    echo "prepare_carry: PLAN A: $(mib $((carry_bytes + repo_bytes))) MiB of $LIMIT_MIB MiB travel;" \
         "one call carries [\"$rel\"] (docs/gpu.md)"
    if ((limit - carry_bytes - repo_bytes < 1024 * 1024)); then
        echo "prepare_carry: WARNING under 1 MiB to spare: rerun this just before the session" >&2
    fi
elif ((tv_bytes + repo_bytes <= limit)); then
    echo "prepare_carry: PLAN B: all three splits would be $(mib $((carry_bytes + repo_bytes))) MiB," \
         "over $LIMIT_MIB MiB. Train with [\"$rel/train.lfpack.xz\", \"$rel/val.lfpack.xz\"]" \
         "($(mib $((tv_bytes + repo_bytes))) MiB), then at once a second call with" \
         "[\"$rel/test.lfpack.xz\"] running 'scripts/gpu/table1.sh test' (docs/gpu.md)"
else
    echo "prepare_carry: OVER THE LIMIT even for train + val ($(mib $((tv_bytes + repo_bytes))) MiB" \
         "of $LIMIT_MIB MiB): make the repository's travelling files smaller" \
         "(git ls-files -co --exclude-standard lists them)" >&2
    exit 1
fi
