"""train_ref.py - the PyTorch side of bench_train.sh: the same MLP
(784-256-10, He init, ReLU), AdamW (lr 1e-3, weight decay 1e-4), batch
128, learning rate constant for two thirds of the epochs then linear to
0, and the same co-teaching protocol (R(t) = 1 - tau * min(t / T_k, 1)
with fractional t, floor(R * n) smallest-loss samples per batch, each net
learns from its peer's choice) as relabel's train code.

  train_ref.py METHOD EPOCHS THREADS NTRAIN LABELS [TAU]

Prints "RESULT method epochs threads ntrain samples_per_s train_s
accuracy peak_rss_mb" like train_bench.  $BENCH_SEED (default 1) seeds
the nets' initializations and the batch order.
"""
import gzip
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DIR = "/usr/share/datasets/fashion-mnist"


def images(name, n):
    with gzip.open("%s/%s-images-idx3-ubyte.gz" % (DIR, name)) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16)
    return torch.from_numpy(raw[: n * 784].reshape(n, 784).astype(np.float32) / 255)


def labels(name, n):
    with gzip.open("%s/%s-labels-idx1-ubyte.gz" % (DIR, name)) as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.from_numpy(raw[:n].astype(np.int64))


def net(seed):
    torch.manual_seed(seed)
    m = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                            torch.nn.Linear(256, 10))
    for layer in (m[0], m[2]):
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        torch.nn.init.zeros_(layer.bias)
    return m


def train(method, epochs, x, y, tau, seed, tk=10.0, batch=128, lr=1e-3):
    s = 10 * seed
    nets = [net(s + 1), net(s + 2)] if method == "coteach" else [net(s + 1)]
    opts = [torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=1e-4)
            for m in nets]
    n = len(y)
    nb = (n + batch - 1) // batch
    gen = torch.Generator().manual_seed(s + 3)
    for ep in range(epochs):
        order = torch.randperm(n, generator=gen)
        for j in range(nb):
            t = ep + j / nb
            rate = lr * min(1.0, 3.0 * (epochs - t) / epochs)
            for o in opts:
                for g in o.param_groups:
                    g["lr"] = rate
            idx = order[j * batch:(j + 1) * batch]
            xb, yb = x[idx], y[idx]
            logits = [m(xb) for m in nets]
            if len(nets) == 1:
                losses = [F.cross_entropy(logits[0], yb)]
            else:
                keep = 1.0 - tau * min(t / tk, 1.0)
                k = int(math.floor(keep * len(yb)))
                chosen = []
                with torch.no_grad():
                    for z in logits:
                        li = F.cross_entropy(z, yb, reduction="none")
                        chosen.append(torch.argsort(li, stable=True)[:k])
                losses = [F.cross_entropy(logits[0][chosen[1]], yb[chosen[1]]),
                          F.cross_entropy(logits[1][chosen[0]], yb[chosen[0]])]
            for o, loss in zip(opts, losses):
                o.zero_grad()
                loss.backward()
                o.step()
    return nets


def main():
    method, epochs, threads, ntr, path = sys.argv[1:6]
    tau = float(sys.argv[6]) if len(sys.argv) > 6 else 0.45
    epochs, threads, ntr = int(epochs), int(threads), int(ntr)
    torch.set_num_threads(threads)
    x = images("train", ntr)
    y = torch.from_numpy(np.fromfile(path, np.uint8)[:ntr].astype(np.int64))
    xt, yt = images("t10k", 10000), labels("t10k", 10000)
    t0 = time.perf_counter()
    nets = train(method, epochs, x, y, tau, int(os.environ.get("BENCH_SEED", "1")))
    secs = time.perf_counter() - t0
    with torch.no_grad():
        p = sum(F.softmax(m(xt), dim=1) for m in nets) / len(nets)
    acc = (p.argmax(1) == yt).float().mean().item()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT %s %d %d %d %.0f %.3f %.4f %.1f" % (
        method, epochs, threads, ntr, epochs * ntr / secs, secs, acc, rss))


if __name__ == "__main__":
    main()
