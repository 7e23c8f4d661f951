#!/usr/bin/python3
# features_text_ref.py - the text reference of bench_features.sh:
# scikit-learn's HashingVectorizer (MurmurHash3, signed, 2^18 columns,
# unigrams and bigrams, L2 norm) with log(1 + tf), on the SMS collection
# repeated; prints the best of three wall times and the value count.
#   features_text_ref.py FILE REPEAT
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer


def main():
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        texts = [ln.rstrip("\r\n").split("\t", 1)[-1] for ln in f]
    texts = texts * int(sys.argv[2])
    hv = HashingVectorizer(n_features=2 ** 18, ngram_range=(1, 2),
                           token_pattern=r"[A-Za-z0-9\x80-\uffff]+",
                           alternate_sign=True, norm=None)
    best = None
    for _ in range(3):
        t = time.perf_counter()
        x = hv.transform(texts)
        x.data = np.sign(x.data) * np.log1p(np.abs(x.data))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        norms[norms == 0] = 1
        x = x.multiply(1 / norms[:, None]).tocsr()
        t = time.perf_counter() - t
        best = t if best is None else min(best, t)
    print("%.4f %d" % (best, x.nnz))


main()
