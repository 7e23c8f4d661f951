"""review_gen.py - a large text project's inputs for the review bench:
N items (items.csv), model probabilities (probs.npy, [N, 3] float32) and
three annotators' votes on every tenth item (annotations.csv).

    review_gen.py DIR N"""
import sys

import numpy as np

out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(11)
classes = ["ham", "promo", "spam"]
words = np.array(("free win call now prize claim reply stop text your "
                  "mobile meet later home love ok see you tomorrow thanks "
                  "good night").split())
truth = rng.choice(3, size=n, p=[0.6, 0.15, 0.25])
given = np.where(rng.random(n) < 0.1, rng.integers(0, 3, n), truth)
lens = rng.integers(4, 15, n)
picks = rng.integers(0, len(words), (n, 14))
with open(out + "/items.csv", "w") as f:
    f.write("id,text,label,split\n")
    for i in range(n):
        text = " ".join(words[picks[i, :lens[i]]])
        f.write("m%07d,%s,%s,%s\n" % (i, text, classes[given[i]],
                                      "test" if i % 10 == 0 else "train"))
p = rng.dirichlet(np.ones(3), n) * 0.4
p[np.arange(n), truth] += 0.6
np.save(out + "/probs.npy", (p / p.sum(1, keepdims=True)).astype(np.float32))
with open(out + "/annotations.csv", "w") as f:
    f.write("item,annotator,label\n")
    for i in range(0, n, 10):
        for a in range(3):
            lab = truth[i] if rng.random() < 0.8 else rng.integers(0, 3)
            f.write("m%07d,w%d,%s\n" % (i, a, classes[lab]))
