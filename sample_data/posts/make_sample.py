#!/usr/bin/python3
"""Builds relabel's SMS sample: short texts, noisy labels, simulated
annotators, the truth and a README with the measured figures.

Run from anywhere (it writes beside itself):
    /usr/bin/python3 sample_data/posts/make_sample.py

Reads $SHARED/data/posts/SMSSpamCollection, SHARED defaulting to
/work/shared.  Uses only numpy and the standard library; the output is the
same on every run.
"""

import csv
import os
import sys

import numpy as np

SEED = 20240602
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SHARED", "/work/shared")
SOURCE = os.path.join(SHARED, "data", "posts", "SMSSpamCollection")

CLASSES = ["ham", "spam"]
TRAIN = {"ham": 280, "spam": 120}
TEST = {"ham": 70, "spam": 30}
FLIP = {"ham": 28, "spam": 12}	# train labels turned into the other class
N_ANNOTATED = 200	# train items that get crowd votes
VOTES = (3, 4, 5)	# votes per annotated item, drawn uniformly

# name, role, P(answer ham | ham), P(answer spam | spam)
ANNOTATORS = [
	("w1", "average, misses spam", 0.90, 0.75),
	("w2", "average", 0.85, 0.85),
	("w3", "random", 0.50, 0.50),
	("w4", "careful", 0.95, 0.95),
	("w5", "average, over-flags spam", 0.75, 0.90),
]


def read_source(path):
	"""Unique messages as (line, label, text), text trimmed of surrounding
	white space; a repeated text keeps its first line."""
	out, seen = [], set()
	with open(path, encoding="utf-8", newline="") as f:
		for n, line in enumerate(f, 1):
			line = line.rstrip("\r\n")
			if not line:
				continue
			label, tab, text = line.partition("\t")
			if not tab or label not in CLASSES:
				sys.exit("%s:%d: expected ham|spam<TAB>text" %
					 (path, n))
			text = text.strip()
			if text and text not in seen:
				seen.add(text)
				out.append((n, label, text))
	return out


def pick_items(rng, msgs):
	"""Stratified draw of TRAIN + TEST messages per class; ids are given
	in a shuffled order so that classes and splits are interleaved."""
	chosen = []
	for c in CLASSES:
		pool = [m for m in msgs if m[1] == c]
		idx = rng.choice(len(pool), TRAIN[c] + TEST[c], replace=False)
		chosen += [(pool[i], "train") for i in idx[:TRAIN[c]]]
		chosen += [(pool[i], "test") for i in idx[TRAIN[c]:]]
	items = []
	for n, j in enumerate(rng.permutation(len(chosen))):
		(line, label, text), split = chosen[j]
		items.append({"id": "p%04d" % (n + 1), "line": line,
			      "text": text, "split": split, "true": label,
			      "label": label, "noise": ""})
	return items


def inject_noise(rng, items):
	"""Flips FLIP[c] train labels of each true class c."""
	for c in CLASSES:
		pool = [it for it in items
			if it["split"] == "train" and it["true"] == c]
		other = [x for x in CLASSES if x != c][0]
		for j in rng.choice(len(pool), FLIP[c], replace=False):
			pool[j]["label"] = other
			pool[j]["noise"] = "flip"


def annotate(rng, items):
	"""Votes from 3-5 of the five annotators on N_ANNOTATED train items;
	each answers from the true class with its per-class accuracy."""
	train = [it for it in items if it["split"] == "train"]
	subset = sorted(rng.choice(len(train), N_ANNOTATED, replace=False))
	rows = []
	for j in subset:
		it = train[j]
		k = int(rng.choice(VOTES))
		for a in sorted(rng.choice(len(ANNOTATORS), k, replace=False)):
			name, _, p_ham, p_spam = ANNOTATORS[a]
			p = p_ham if it["true"] == "ham" else p_spam
			if rng.random() < p:
				lab = it["true"]
			else:
				lab = "spam" if it["true"] == "ham" else "ham"
			rows.append((it["id"], name, lab))
	return rows


def write_csv(path, header, rows):
	with open(path, "w", newline="", encoding="utf-8") as f:
		w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
		w.writerow(header)
		w.writerows(rows)


def write_files(items, votes):
	write_csv(os.path.join(HERE, "items.csv"),
		  ["id", "text", "label", "split", "source_line"],
		  [(it["id"], it["text"], it["label"], it["split"], it["line"])
		   for it in items])
	write_csv(os.path.join(HERE, "truth.csv"), ["id", "label"],
		  [(it["id"], it["true"]) for it in items])
	write_csv(os.path.join(HERE, "annotations.csv"),
		  ["item", "annotator", "label"], votes)
	# The class order relabel demo imports with (--classes).
	with open(os.path.join(HERE, "classes.txt"), "w", encoding="utf-8") as f:
		f.write(",".join(CLASSES) + "\n")


def majority(labels, rng):
	"""Most frequent label; ties broken at random."""
	n_spam = labels.count("spam")
	n_ham = len(labels) - n_spam
	if n_spam != n_ham:
		return "spam" if n_spam > n_ham else "ham"
	return str(rng.choice(CLASSES))


def measure(items, votes, n_source):
	"""Figures for the README, computed from the data as written."""
	byid = {it["id"]: it for it in items}
	m = {"n": len(items), "unique": n_source}
	for s in ("train", "test"):
		for c in CLASSES:
			m[s, c] = sum(it["split"] == s and it["true"] == c
				      for it in items)
		m[s] = m[s, "ham"] + m[s, "spam"]
	for c in CLASSES:
		m["flip", c] = sum(it["noise"] == "flip" and it["true"] == c
				   for it in items)
		m["given", c] = sum(it["split"] == "train" and it["label"] == c
				    for it in items)
	m["wrong"] = sum(it["label"] != it["true"] for it in items)
	per = {}
	for item, who, lab in votes:
		t = byid[item]["true"]
		r = per.setdefault(who, {"n": 0, "ok": 0, "ham": [0, 0],
					 "spam": [0, 0]})
		r["n"] += 1
		r["ok"] += lab == t
		r[t][0] += 1
		r[t][1] += lab == t
	m["annotators"] = per
	m["votes"] = len(votes)
	voted = {}
	for item, who, lab in votes:
		voted.setdefault(item, []).append(lab)
	m["annotated"] = len(voted)
	m["annotated_spam"] = sum(byid[i]["true"] == "spam" for i in voted)
	m["vote_hist"] = {k: sum(len(v) == k for v in voted.values())
			  for k in VOTES}
	tie_rng = np.random.default_rng(SEED + 1)
	m["mv_ok"] = sum(majority(v, tie_rng) == byid[i]["true"]
			 for i, v in sorted(voted.items()))
	m["given_ok"] = sum(byid[i]["label"] == byid[i]["true"] for i in voted)
	m["noisy_annotated"] = sum(byid[i]["noise"] != "" for i in voted)
	return m


README = """\
# SMS sample

{n} real SMS messages labelled `ham` or `spam`, with labels deliberately
corrupted in the train split and votes from five simulated annotators.  The
noise and the annotators are simulated; the messages and their labels are
real.  Spam is over-represented ({spam} of {n}) so that both classes are
well populated.

## Source, licence and citation

The SMS Spam Collection v.1 by Tiago A. Almeida and José María Gómez Hidalgo,
listed by the UCI Machine Learning Repository
(http://archive.ics.uci.edu/ml/datasets/SMS+Spam+Collection) under the
Creative Commons Attribution 4.0 International licence (CC BY 4.0).  The
authors ask that uses cite:

> Almeida, T.A., Gómez Hidalgo, J.M., Yamakami, A.  Contributions to the
> Study of SMS Spam Filtering: New Collection and Results.  Proceedings of
> the 2011 ACM Symposium on Document Engineering (DocEng'11), Mountain View,
> CA, USA, 2011.

Changes made here: a subset was taken, the white space around each text
trimmed, repeated texts dropped, labels corrupted in the train split as
described below, and simulated votes added.  The texts are otherwise as in
the collection, including its HTML entities (`&lt;#&gt;` stands for a
number removed by the collection's authors).  `source_line` in `items.csv`
is the message's 1-based line in the collection's `SMSSpamCollection` file.

## Files

- `items.csv` - `id,text,label,split,source_line`, RFC 4180 CSV in UTF-8
  (fields with commas or quotes are quoted); `label` is the given
  (possibly wrong) label.
- `annotations.csv` - `item,annotator,label`: {votes} votes on {annotated}
  train items.
- `truth.csv` - `id,label`: the collection's label of every item.
- `make_sample.py` - the script that wrote all of the above.

## How it was made

    /usr/bin/python3 sample_data/posts/make_sample.py

numpy `default_rng` with seed {seed}; the output is byte-identical on every
run (made with numpy {npver}).  It reads
`$SHARED/data/posts/SMSSpamCollection`, `SHARED` defaulting to
`/work/shared`.

1. Of the collection's messages, {unique} have distinct texts.  Drawn from
   those without replacement, per class:
   - train: {train_ham} ham + {train_spam} spam = {train} items;
   - test: {test_ham} ham + {test_spam} spam = {test} items.

   Ids `p0001`-`p{n:04d}` are given in a shuffled order, so classes and
   splits are interleaved.
2. The test split keeps the true labels: it is the clean evaluation set.
3. Label noise on the train split: {wrong} of {train} given labels are
   wrong ({wrongpct:.0f} %), {pct_ham:.0f} % of each class flipped to the other:
   - ham -> spam: {flip_ham} of {train_ham};
   - spam -> ham: {flip_spam} of {train_spam}.

   Given train labels: {given_ham} ham, {given_spam} spam.

## Simulated annotators

{annotated} train items drawn at random get votes; {annotated_spam} of them
are truly spam, and they include {noisy_annotated} of the {wrong} items with a
wrong given label.  Each gets votes from 3, 4 or 5 of the five annotators,
the number and the annotators drawn uniformly (items with 3 / 4 / 5 votes:
{hist}).  Each annotator answers from the item's true class, never from
its given label, and is right with a set probability per class.  The names
are neutral; which is which:

| annotator | kind | set P(right) ham / spam | votes | agreement with truth | measured ham / spam |
|---|---|---|---|---|---|
{table}

Majority vote over the annotated items (ties broken at random) matches the
truth on {mv_ok} of {annotated} ({mvpct:.1f} %); the given labels of the same
items are right on {given_ok} of {annotated} ({givenpct:.1f} %).
"""


def render_readme(m):
	rows = []
	for name, role, p_ham, p_spam in ANNOTATORS:
		r = m["annotators"][name]
		kind = "clicks at random" if role == "random" else role
		rows.append("| %s | %s | %.2f / %.2f | %d | %.3f (%d/%d) | "
			    "%.3f / %.3f |" %
			    (name, kind, p_ham, p_spam, r["n"], r["ok"] / r["n"],
			     r["ok"], r["n"], r["ham"][1] / r["ham"][0],
			     r["spam"][1] / r["spam"][0]))
	return README.format(
		n=m["n"], spam=m["train", "spam"] + m["test", "spam"],
		unique=m["unique"], votes=m["votes"], annotated=m["annotated"],
		seed=SEED, npver=np.__version__,
		train_ham=m["train", "ham"], train_spam=m["train", "spam"],
		test_ham=m["test", "ham"], test_spam=m["test", "spam"],
		train=m["train"], test=m["test"], wrong=m["wrong"],
		wrongpct=100 * m["wrong"] / m["train"],
		pct_ham=100 * m["flip", "ham"] / m["train", "ham"],
		flip_ham=m["flip", "ham"], flip_spam=m["flip", "spam"],
		given_ham=m["given", "ham"], given_spam=m["given", "spam"],
		annotated_spam=m["annotated_spam"],
		noisy_annotated=m["noisy_annotated"],
		hist=" / ".join(str(m["vote_hist"][k]) for k in VOTES),
		table="\n".join(rows), mv_ok=m["mv_ok"],
		mvpct=100 * m["mv_ok"] / m["annotated"], given_ok=m["given_ok"],
		givenpct=100 * m["given_ok"] / m["annotated"])


def read_csv(name):
	with open(os.path.join(HERE, name), newline="", encoding="utf-8") as f:
		return list(csv.DictReader(f))


def check(items, votes, msgs):
	"""Reads the written files back and checks them against the plan and
	the collection."""
	rows = read_csv("items.csv")
	truth = {r["id"]: r["label"] for r in read_csv("truth.csv")}
	ann = read_csv("annotations.csv")
	ids = [r["id"] for r in rows]
	assert len(ids) == len(set(ids)) == len(items) == len(truth)
	assert set(ids) == set(truth)
	byline = {m[0]: m for m in msgs}
	texts = set()
	for r in rows:
		line, label, text = byline[int(r["source_line"])]
		assert r["text"] == text and truth[r["id"]] == label, r["id"]
		assert r["label"] in CLASSES and r["split"] in ("train", "test")
		if r["split"] == "test":
			assert r["label"] == label
		texts.add(text)
	assert len(texts) == len(rows)
	split = {r["id"]: r["split"] for r in rows}
	seen = set()
	for a in ann:
		assert split[a["item"]] == "train" and a["label"] in CLASSES
		assert (a["item"], a["annotator"]) not in seen
		seen.add((a["item"], a["annotator"]))
	assert len(ann) == len(votes)


def main():
	if not os.path.isfile(SOURCE):
		sys.exit("%s: not found; set SHARED to the folder that holds "
			 "data/posts/" % SOURCE)
	msgs = read_source(SOURCE)
	rng = np.random.default_rng(SEED)
	items = pick_items(rng, msgs)
	inject_noise(rng, items)
	votes = annotate(rng, items)
	write_files(items, votes)
	m = measure(items, votes, len(msgs))
	with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as f:
		f.write(render_readme(m))
	check(items, votes, msgs)
	print("posts: %d items (%d train, %d test; %d spam), %d wrong train "
	      "labels (%d ham->spam, %d spam->ham), %d votes on %d items" %
	      (m["n"], m["train"], m["test"],
	       m["train", "spam"] + m["test", "spam"], m["wrong"],
	       m["flip", "ham"], m["flip", "spam"], m["votes"],
	       m["annotated"]))


if __name__ == "__main__":
	main()
