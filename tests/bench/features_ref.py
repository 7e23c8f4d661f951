#!/usr/bin/python3
# features_ref.py - the reference side of bench_features.sh: decodes the
# same PNG files with zlib and numpy into a float32 [N, 784] matrix in
# [0,1] (what image_features returns at size 28), prints the best of
# three wall times, and the largest difference to relabel's matrix.
#   features_ref.py LIST RELABEL_F32
import struct
import sys
import time
import zlib

import numpy as np


def decode(path):
    with open(path, "rb") as f:
        b = f.read()
    pos, idat = 8, []
    while pos < len(b):
        n, kind = struct.unpack(">I4s", b[pos:pos + 8])
        if kind == b"IHDR":
            w, h = struct.unpack(">II", b[pos + 8:pos + 16])
        elif kind == b"IDAT":
            idat.append(b[pos + 8:pos + 8 + n])
        pos += 12 + n
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    rows = raw.reshape(h, w + 1)
    # The benchmark files use filter 0 on every row.
    assert not rows[:, 0].any()
    return rows[:, 1:].astype(np.float32) / 255.0


def main():
    with open(sys.argv[1]) as f:
        paths = f.read().split()
    best = None
    for _ in range(3):
        t = time.perf_counter()
        x = np.stack([decode(p).reshape(-1) for p in paths])
        t = time.perf_counter() - t
        best = t if best is None else min(best, t)
    ours = np.fromfile(sys.argv[2], np.float32).reshape(x.shape)
    print("%.4f %.3g" % (best, np.abs(ours - x).max()))


main()
