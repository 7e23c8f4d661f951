"""Writes a Fashion-MNIST project input with injected label noise.

usage: detect_make.py DIR sym|pair RATE N
DIR/items.csv (id,text,label,split: the text is a placeholder, the
features are the pixels in DIR/x.npy), DIR/truth.csv, DIR/classes.
Symmetric noise moves a label to a uniformly chosen other class; pair
noise moves class c to c+1 (mod 10).  The seed is fixed.
"""
import gzip
import os
import sys

import numpy as np

NAMES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal",
         "shirt", "sneaker", "bag", "ankle-boot"]
SRC = "/usr/share/datasets/fashion-mnist"


def idx(path, offset):
    with gzip.open(path) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def main():
    out, kind, rate, n = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    x = idx(f"{SRC}/train-images-idx3-ubyte.gz", 16).reshape(-1, 784)[:n]
    y = idx(f"{SRC}/train-labels-idx1-ubyte.gz", 8)[:n].astype(int)
    rng = np.random.default_rng(20261203)
    flip = rng.random(n) < rate
    given = y.copy()
    if kind == "sym":
        shift = rng.integers(1, 10, n)
        given[flip] = (y[flip] + shift[flip]) % 10
    else:
        given[flip] = (y[flip] + 1) % 10
    np.save(f"{out}/x.npy", (x / 255.0).astype(np.float32))
    with open(f"{out}/items.csv", "w") as f:
        f.write("id,text,label,split\n")
        for i in range(n):
            f.write(f"i{i:05d},x,{NAMES[given[i]]},train\n")
    with open(f"{out}/truth.csv", "w") as f:
        f.write("id,label\n")
        for i in range(n):
            f.write(f"i{i:05d},{NAMES[y[i]]}\n")
    with open(f"{out}/classes", "w") as f:
        f.write(",".join(NAMES))


main()
