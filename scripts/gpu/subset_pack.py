#!/usr/bin/env python3
"""Write a small, class-stratified subset of a LiteFER packed dataset (.lfpack).

Used only by the CPU smoke test of scripts/gpu/table1.sh: full-size val/test splits make
ten-crop evaluation of the big networks take far too long on two CPU cores.

    subset_pack.py IN.lfpack OUT.lfpack N

Keeps every k-th image (k = count // N), so every class present in IN is represented in
proportion (packed files are ordered by class). Rewrites count, class_counts, created and
payload_sha256 in the header; keeps every other header field. Layout: see
models/base/include/litefer/packed_dataset.h.
"""
import datetime
import hashlib
import json
import struct
import sys

MAGIC = b"LFPACK\x00\x01"
RECORD = 1 + 48 * 48


def main() -> int:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(src, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        print(f"{src}: not a LiteFER packed dataset", file=sys.stderr)
        return 1
    version, hlen = struct.unpack_from("<II", data, 8)
    header = json.loads(data[16:16 + hlen].decode("utf-8"))
    payload = memoryview(data)[16 + hlen:]
    count = header["count"]
    if len(payload) != count * RECORD:
        print(f"{src}: payload size does not match count {count}", file=sys.stderr)
        return 1
    step = max(1, count // max(1, want))
    keep = list(range(0, count, step))[:want]
    records = b"".join(bytes(payload[i * RECORD:(i + 1) * RECORD]) for i in keep)
    counts = [0] * 7
    for i in range(len(keep)):
        counts[records[i * RECORD]] += 1
    header["count"] = len(keep)
    header["class_counts"] = counts
    header["created"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    header["payload_sha256"] = hashlib.sha256(records).hexdigest()
    header["source"] = f"{header.get('source', '')} (subset of {count}: every {step}th image)"
    text = (json.dumps(header, indent=2) + "\n").encode("utf-8")
    with open(dst, "wb") as f:
        f.write(MAGIC + struct.pack("<II", version, len(text)) + text + records)
    print(f"{dst}: {len(keep)} of {count} images, class counts {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
