"""make_probs.py - model probabilities for a sample data folder, so the
screen tests need not train: each item's row puts 0.7 (plus noise) on its
true label from truth.csv, so confident learning flags the wrong labels.

    /usr/bin/python3 make_probs.py sample_data/fashion out.npy
prints the class names in column order (sorted, as relabel import sorts
them)."""
import csv
import sys

import numpy as np

folder, out = sys.argv[1], sys.argv[2]
items = list(csv.DictReader(open(folder + "/items.csv", newline="")))
truth = {r["id"]: r["label"]
         for r in csv.DictReader(open(folder + "/truth.csv", newline=""))}
classes = sorted({r["label"] for r in items})
rng = np.random.default_rng(7)
probs = np.zeros((len(items), len(classes)), dtype=np.float32)
for i, r in enumerate(items):
    p = rng.dirichlet(np.ones(len(classes))) * 0.3
    p[classes.index(truth[r["id"]])] += 0.7
    probs[i] = p / p.sum()
np.save(out, probs)
print(",".join(classes))
