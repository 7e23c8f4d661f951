#!/usr/bin/python3
# features_png.py - writes the first N Fashion-MNIST training images as
# 8-bit gray PNG files (filter 0, zlib level 6) into DIR, and DIR/list.txt
# with one path a line.
#   features_png.py DIR N
import gzip
import os
import struct
import sys
import zlib

import numpy as np

SRC = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + \
        struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def png(img):
    h, w = img.shape
    raw = np.hstack([np.zeros((h, 1), np.uint8), img]).tobytes()
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    with gzip.open(SRC, "rb") as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        x = np.frombuffer(f.read(n * rows * cols), np.uint8)
    x = x.reshape(n, rows, cols)
    os.makedirs(out, exist_ok=True)
    paths = []
    for i in range(n):
        p = os.path.join(out, "%05d.png" % i)
        with open(p, "wb") as f:
            f.write(png(x[i]))
        paths.append(p)
    with open(os.path.join(out, "list.txt"), "w") as f:
        f.write("\n".join(paths) + "\n")


main()
