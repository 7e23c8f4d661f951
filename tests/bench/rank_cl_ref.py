#!/usr/bin/python3
"""rank_cl_ref.py - the ranking computation of relabel in NumPy: per-item
scores, confident learning (prune by noise rate, as cleanlab does it) and
the suspicion queue, on the data rank_bench wrote.

  rank_cl_ref.py DIR
"""
import sys
import time

import numpy as np


def scores(P, y):
    n, C = P.shape
    rows = np.arange(n)
    py = P[rows, y]
    loss = -np.log(np.maximum(py, 1e-12))
    other = P.copy()
    other[rows, y] = -1.0
    margin = py - other.max(axis=1)
    safe = np.where(P > 0, P, 1.0)
    entropy = -(P * np.log(safe)).sum(axis=1) / np.log(C)
    return py, loss, margin, entropy, P.argmax(axis=1)


def round_rows(cal):
    """Largest remainders, keeping each row's rounded total."""
    out = np.floor(cal)
    left = np.round(cal.sum(axis=1)) - out.sum(axis=1)
    rem = cal - out
    for i in range(cal.shape[0]):
        k = int(left[i])
        if k > 0:
            out[i, np.argsort(-rem[i], kind="stable")[:k]] += 1
    return out


def confident_learning(P, y, py, argmax):
    n, C = P.shape
    counts = np.bincount(y, minlength=C).astype(float)
    t = np.bincount(y, weights=py, minlength=C) / np.maximum(counts, 1)
    t[counts == 0] = np.inf
    above = P >= t - 1e-6
    best = np.where(above, P, -1.0).argmax(axis=1)
    some = above.any(axis=1)
    cj = np.bincount(y[some] * C + best[some], minlength=C * C)
    cj = cj.reshape(C, C).astype(float)
    np.fill_diagonal(cj, np.maximum(np.diag(cj), 1))
    cal = cj / np.maximum(cj.sum(axis=1), 1)[:, None] * counts[:, None]
    cal *= n / max(cal.sum(), 1)
    cal = round_rows(cal)
    Q = cal / n
    col = Q.sum(axis=0)
    noise = np.divide(Q, col, out=np.zeros_like(Q), where=col > 0)
    rate = Q.sum() - np.trace(Q)
    suggested = np.full(n, -1)
    for i in range(C):
        idx = np.flatnonzero(y == i)
        budget = max(len(idx) - 1, 0)
        for j in range(C):
            k = int(min(cal[i, j], budget))
            if j == i or k == 0:
                continue
            budget -= k
            m = P[idx, j] - P[idx, i]
            chosen = idx[np.argpartition(-m, k - 1)[:k]]
            cur = suggested[chosen]
            better = (cur < 0) | (P[chosen, j] > P[chosen, np.maximum(cur, 0)])
            suggested[chosen[better]] = j
    issue = (suggested >= 0) & (argmax != y)
    suggested[~issue] = -1
    return issue, suggested, rate, noise


def main(d):
    n, C = (int(x) for x in open(d + "/cl_meta.txt").read().split())
    P = np.fromfile(d + "/cl_probs.f32", dtype=np.float32).reshape(n, C)
    y = np.fromfile(d + "/cl_label.i32", dtype=np.int32).astype(np.int64)
    best = np.inf
    for _ in range(5):
        t0 = time.perf_counter()
        py, loss, margin, entropy, argmax = scores(P, y)
        issue, sug, rate, noise = confident_learning(P, y, py, argmax)
        rows = np.arange(n)
        m = np.where(issue, np.maximum(0, P[rows, np.maximum(sug, 0)] - py),
                     1.0 - py)
        susp = (issue + m).astype(np.float32)
        order = np.lexsort((rows, -susp))
        best = min(best, time.perf_counter() - t0)
    isum = np.flatnonzero(issue).sum()
    print("numpy CL: %d x %d in %.3f s: %d issues, noise rate %.4f, "
          "issue index sum %d, queue head %d %d %d"
          % (n, C, best, issue.sum(), rate, isum, order[0], order[1],
             order[2]))
    print("RESULT\t%.4f\t%d\t%.6f" % (best, issue.sum(), rate))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
