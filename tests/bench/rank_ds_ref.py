#!/usr/bin/python3
"""rank_ds_ref.py - Dawid-Skene EM in NumPy, the reference for relabel's.

The same model as include/relabel/crowd.h: soft-majority start, Dirichlet
smoothing alpha on every confusion count and on the class prior, E-step in
log space, stop when the largest posterior change is below tol or after
max_iter rounds.  Written from the formulas, vectorized over votes.

  rank_ds_ref.py patients FILE.csv    the 1979 patient table: priors,
                                      posteriors, confusion entries
  rank_ds_ref.py bench DIR            votes from rank_bench: timing and
                                      accuracy against the known truth
"""
import sys
import time

import numpy as np


def ds_em(item, annot, label, n, A, C, alpha=0.01, tol=1e-6, max_iter=100):
    """Returns post [n, C], prior [C], conf [A, C, C], iterations, delta."""
    counts = np.zeros((n, C))
    for c in range(C):
        counts[:, c] = np.bincount(item, weights=(label == c), minlength=n)
    nv = counts.sum(axis=1)
    voted = nv > 0
    T = counts / np.maximum(nv, 1)[:, None]
    said = annot * C + label            # row of [A*C, C]: (annotator, said)
    it, delta = 0, np.inf
    prior = conf = None
    while it < max_iter:
        # M-step: prior and confusion, both smoothed.
        prior = (T[voted].sum(axis=0) + alpha) / (voted.sum() + C * alpha)
        Tv = T[item]
        acc = np.empty((A * C, C))
        for j in range(C):
            acc[:, j] = np.bincount(said, weights=Tv[:, j], minlength=A * C)
        acc = acc.reshape(A, C, C).transpose(0, 2, 1)       # [a][j][l]
        conf = (acc + alpha) / (acc.sum(axis=2, keepdims=True) + C * alpha)
        # E-step in log space.
        logt = np.log(conf).transpose(0, 2, 1).reshape(A * C, C)
        contrib = logt[said]                                # [V, C]
        lp = np.empty((n, C))
        for j in range(C):
            lp[:, j] = np.bincount(item, weights=contrib[:, j], minlength=n)
        lp += np.log(prior)
        lp -= lp.max(axis=1, keepdims=True)
        Tn = np.exp(lp)
        Tn /= Tn.sum(axis=1, keepdims=True)
        delta = np.abs(Tn[voted] - T[voted]).max() if voted.any() else 0.0
        T = np.where(voted[:, None], Tn, T)
        it += 1
        if delta < tol:
            break
    T[~voted] = prior
    return T, prior, conf, it, delta


def majority(item, label, n, C):
    counts = np.zeros((n, C))
    for c in range(C):
        counts[:, c] = np.bincount(item, weights=(label == c), minlength=n)
    glob = counts.sum(axis=0)
    # Ties: the class with more votes overall, then the lower index.
    top = counts == counts.max(axis=1, keepdims=True)
    rank = np.argsort(np.argsort(-glob, kind="stable"), kind="stable")
    score = np.where(top, C - rank[None, :], -1)
    return score.argmax(axis=1)


def patients(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.int64)
    item = d[:, 0] - 1
    annot = d[:, 1] - 1
    label = d[:, 3] - 1
    n, A, C = item.max() + 1, annot.max() + 1, 4
    T, prior, conf, it, delta = ds_em(item, annot, label, n, A, C)
    np.set_printoptions(precision=6, suppress=True)
    print("iterations", it, "delta %.3g" % delta)
    print("prior", prior)
    for p in (0, 1, 2, 9, 10, 19, 27, 44):
        print("post patient %d" % (p + 1), T[p])
    for a in range(A):
        print("conf observer %d" % (a + 1))
        print(conf[a])


def bench(d):
    n, A, C, max_iter = (int(x) for x in
                         open(d + "/ds_meta.txt").read().split())
    item = np.fromfile(d + "/ds_item.i32", dtype=np.int32).astype(np.int64)
    annot = np.fromfile(d + "/ds_annot.i32", dtype=np.int32).astype(np.int64)
    label = np.fromfile(d + "/ds_label.i32", dtype=np.int32).astype(np.int64)
    truth = np.fromfile(d + "/ds_truth.i32", dtype=np.int32)
    t0 = time.perf_counter()
    T, prior, conf, it, delta = ds_em(item, annot, label, n, A, C,
                                      max_iter=max_iter)
    secs = time.perf_counter() - t0
    acc = (T.argmax(axis=1) == truth).mean()
    mv = (majority(item, label, n, C) == truth).mean()
    print("numpy DS: %d votes, %.3f s, %d iterations, delta %.3g%s, "
          "accuracy %.4f (majority %.4f)"
          % (len(item), secs, it, delta,
             "" if delta < 1e-6 else " (not converged)", acc, mv))
    print("RESULT\t%.4f\t%.4f\t%d" % (secs, acc, it))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "patients":
        patients(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "bench":
        bench(sys.argv[2])
    else:
        sys.exit(__doc__)
