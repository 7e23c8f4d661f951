"""review_fmnist.py - a Fashion-MNIST project's inputs for the retrain
bench: the first N training images as 8-bit gray PNGs, items.csv with
their labels (20% of the train split flipped to another class, with a
fixed seed; the last tenth is a clean test split) and features.npy, the
784 pixels of each scaled to [0, 1] ([N, 784] float32, in item order).

    review_fmnist.py DIR N"""
import gzip
import os
import struct
import sys
import zlib

import numpy as np

SRC = "/usr/share/datasets/fashion-mnist"
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal",
           "shirt", "sneaker", "bag", "ankle-boot"]


def idx(name):
    with gzip.open(os.path.join(SRC, name)) as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def png(path, img):
    raw = b"".join(b"\0" + row.tobytes() for row in img)
    h, w = img.shape

    def chunk(kind, body):
        c = struct.pack(">I", len(body)) + kind + body
        return c + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


out, n = sys.argv[1], int(sys.argv[2])
images = idx("train-images-idx3-ubyte.gz")[:n]
truth = idx("train-labels-idx1-ubyte.gz")[:n].astype(int)
rng = np.random.default_rng(5)
test = np.arange(n) >= n - n // 10
flip = (rng.random(n) < 0.2) & ~test
given = np.where(flip, (truth + rng.integers(1, 10, n)) % 10, truth)
os.makedirs(os.path.join(out, "img"), exist_ok=True)
with open(os.path.join(out, "items.csv"), "w") as f:
    f.write("id,image,label,split\n")
    for i in range(n):
        name = "img/%05d.png" % i
        png(os.path.join(out, name), images[i])
        f.write("%05d,%s,%s,%s\n" % (i, name, CLASSES[given[i]],
                                    "test" if test[i] else "train"))
np.save(os.path.join(out, "features.npy"),
        (images.reshape(n, -1) / 255.0).astype(np.float32))
print("%d items, %d labels flipped" % (n, int(flip.sum())))
