#!/usr/bin/python3
"""Builds relabel's Fashion-MNIST sample: images, noisy labels, simulated
annotators, the truth and a README with the measured figures.

Run from anywhere (it writes beside itself):
    /usr/bin/python3 sample_data/fashion/make_sample.py

Reads the Fashion-MNIST test set from the Debian package
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist), or from the
folder named by the environment variable FASHION_MNIST.  Uses only numpy
and the standard library; the output is the same on every run.
"""

import csv
import gzip
import os
import struct
import sys
import zlib

import numpy as np

SEED = 20240601
HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
IMAGES = "t10k-images-idx3-ubyte.gz"
LABELS = "t10k-labels-idx1-ubyte.gz"

# Fashion-MNIST label order 0..9.
CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat",
           "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
# Classes people mistake for one another.
GROUPS = [["t-shirt", "shirt", "pullover", "coat"],
          ["sandal", "sneaker", "ankle-boot"]]

PER_CLASS_TRAIN = 50
PER_CLASS_TEST = 10
N_SYMMETRIC = 40	# train labels replaced by any other class
N_LOOKALIKE = 60	# train labels replaced by a look-alike class
N_ANNOTATED = 200	# train items that get crowd votes
VOTES = (3, 4, 5)	# votes per annotated item, drawn uniformly

# name, role, accuracy, share of errors that go to a look-alike class
ANNOTATORS = [
	("w1", "average", 0.80, 0.85),
	("w2", "careful", 0.95, 0.80),
	("w3", "average", 0.75, 0.85),
	("w4", "random", None, None),
	("w5", "average", 0.70, 0.85),
]


def read_idx(path):
	"""Reads a gzip'd IDX file into a uint8 array of its stated shape."""
	with gzip.open(path, "rb") as f:
		data = f.read()
	zero, dtype, ndim = struct.unpack(">HBB", data[:4])
	if zero != 0 or dtype != 0x08:
		sys.exit("%s: not an unsigned-byte IDX file" % path)
	dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
	body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
	if body.size != int(np.prod(dims)):
		sys.exit("%s: %d bytes of data, header says %s" %
			 (path, body.size, dims))
	return body.reshape(dims)


def png_chunk(kind, body):
	crc = zlib.crc32(kind + body) & 0xffffffff
	return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def png_gray(img):
	"""Encodes a 2-D uint8 array as an 8-bit grayscale PNG, trying the
	None, Sub and Up filters on all rows and keeping the smallest."""
	h, w = img.shape
	a = img.astype(np.int16)
	sub = (a - np.pad(a, ((0, 0), (1, 0)))[:, :w]) & 0xff
	up = (a - np.pad(a, ((1, 0), (0, 0)))[:h, :]) & 0xff
	best = None
	for ftype, rows in ((0, a), (1, sub), (2, up)):
		raw = np.hstack([np.full((h, 1), ftype), rows]).astype(np.uint8)
		z = zlib.compress(raw.tobytes(), 9)
		if best is None or len(z) < len(best):
			best = z
	ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
	return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
		png_chunk(b"IDAT", best) + png_chunk(b"IEND", b""))


def png_read_gray(path):
	"""Decodes what png_gray writes (for the self-check)."""
	with open(path, "rb") as f:
		data = f.read()
	assert data[:8] == b"\x89PNG\r\n\x1a\n", path
	pos, idat, w, h = 8, b"", 0, 0
	while pos < len(data):
		n, = struct.unpack(">I", data[pos:pos + 4])
		kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
		crc, = struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])
		assert crc == zlib.crc32(kind + body) & 0xffffffff, path
		if kind == b"IHDR":
			w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
			assert depth == 8 and ctype == 0, path
		elif kind == b"IDAT":
			idat += body
		pos += 12 + n
	raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, w + 1)
	out = np.zeros((h, w), np.int32)
	for y in range(h):
		f, row = raw[y, 0], raw[y, 1:].astype(np.int32)
		if f == 1:
			for x in range(w):
				out[y, x] = (row[x] + (out[y, x - 1] if x else 0)) & 0xff
		elif f == 2:
			out[y] = (row + (out[y - 1] if y else 0)) & 0xff
		else:
			assert f == 0, path
			out[y] = row
	return out.astype(np.uint8)


def lookalikes(c):
	"""The other members of class c's look-alike group (may be empty)."""
	for g in GROUPS:
		if c in g:
			return [x for x in g if x != c]
	return []


def pick_items(rng, labels):
	"""Stratified draw from the test set: per class, PER_CLASS_TRAIN train
	and PER_CLASS_TEST test images; the ids are then given in a shuffled
	order so that splits and classes are interleaved."""
	chosen = []
	for k in range(len(CLASSES)):
		idx = rng.choice(np.flatnonzero(labels == k),
				 PER_CLASS_TRAIN + PER_CLASS_TEST, replace=False)
		chosen += [(int(i), "train") for i in idx[:PER_CLASS_TRAIN]]
		chosen += [(int(i), "test") for i in idx[PER_CLASS_TRAIN:]]
	order = rng.permutation(len(chosen))
	items = []
	for n, j in enumerate(order):
		src, split = chosen[j]
		items.append({"id": "f%04d" % (n + 1), "src": src, "split": split,
			      "true": CLASSES[labels[src]]})
	return items


def inject_noise(rng, items):
	"""Gives every item its label: the truth, except N_LOOKALIKE train
	items (of classes with look-alikes) moved to a look-alike class and
	N_SYMMETRIC other train items moved to a uniformly drawn other
	class.  Returns the per-item noise kind."""
	for it in items:
		it["label"], it["noise"] = it["true"], ""
	train = [it for it in items if it["split"] == "train"]
	grouped = [it for it in train if lookalikes(it["true"])]
	for j in rng.choice(len(grouped), N_LOOKALIKE, replace=False):
		it = grouped[j]
		it["label"] = str(rng.choice(lookalikes(it["true"])))
		it["noise"] = "lookalike"
	clean = [it for it in train if not it["noise"]]
	for j in rng.choice(len(clean), N_SYMMETRIC, replace=False):
		it = clean[j]
		others = [c for c in CLASSES if c != it["true"]]
		it["label"] = str(rng.choice(others))
		it["noise"] = "symmetric"


def vote(rng, role, acc, near, truth):
	"""One simulated annotator's answer for an item whose class is truth."""
	if role == "random":
		return str(rng.choice(CLASSES))
	if rng.random() < acc:
		return truth
	look = lookalikes(truth)
	if look and rng.random() < near:
		return str(rng.choice(look))
	return str(rng.choice([c for c in CLASSES if c != truth]))


def annotate(rng, items):
	"""Votes from 3-5 of the five annotators on N_ANNOTATED train items."""
	train = [it for it in items if it["split"] == "train"]
	subset = sorted(rng.choice(len(train), N_ANNOTATED, replace=False))
	rows = []
	for j in subset:
		it = train[j]
		k = int(rng.choice(VOTES))
		who = sorted(rng.choice(len(ANNOTATORS), k, replace=False))
		for a in who:
			name, role, acc, near = ANNOTATORS[a]
			rows.append((it["id"], name,
				     vote(rng, role, acc, near, it["true"])))
	return rows


def write_csv(path, header, rows):
	with open(path, "w", newline="", encoding="utf-8") as f:
		w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
		w.writerow(header)
		w.writerows(rows)


def write_files(items, votes, pixels):
	imgdir = os.path.join(HERE, "images")
	os.makedirs(imgdir, exist_ok=True)
	for name in os.listdir(imgdir):
		if name.endswith(".png"):
			os.remove(os.path.join(imgdir, name))
	for it in items:
		it["image"] = "images/%s.png" % it["id"]
		with open(os.path.join(HERE, it["image"]), "wb") as f:
			f.write(png_gray(pixels[it["src"]]))
	write_csv(os.path.join(HERE, "items.csv"),
		  ["id", "image", "label", "split", "source_index"],
		  [(it["id"], it["image"], it["label"], it["split"], it["src"])
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
	counts = {}
	for x in labels:
		counts[x] = counts.get(x, 0) + 1
	top = max(counts.values())
	best = sorted(c for c, n in counts.items() if n == top)
	return best[0] if len(best) == 1 else str(rng.choice(best))


def measure(items, votes):
	"""Figures for the README, computed from the data as written."""
	byid = {it["id"]: it for it in items}
	m = {"n": len(items)}
	for s in ("train", "test"):
		m[s] = sum(it["split"] == s for it in items)
	m["sym"] = sum(it["noise"] == "symmetric" for it in items)
	m["look"] = sum(it["noise"] == "lookalike" for it in items)
	m["sym_into_look"] = sum(it["noise"] == "symmetric" and
				 it["label"] in lookalikes(it["true"])
				 for it in items)
	m["wrong"] = sum(it["label"] != it["true"] for it in items)
	pairs = {}
	for it in items:
		if it["noise"] == "lookalike":
			key = (it["true"], it["label"])
			pairs[key] = pairs.get(key, 0) + 1
	m["pairs"] = sorted(pairs.items())
	per = {}
	for item, who, lab in votes:
		n, ok = per.get(who, (0, 0))
		per[who] = (n + 1, ok + (lab == byid[item]["true"]))
	m["annotators"] = per
	m["votes"] = len(votes)
	voted = {}
	for item, who, lab in votes:
		voted.setdefault(item, []).append(lab)
	m["annotated"] = len(voted)
	m["vote_hist"] = {k: sum(len(v) == k for v in voted.values())
			  for k in VOTES}
	tie_rng = np.random.default_rng(SEED + 1)
	m["mv_ok"] = sum(majority(v, tie_rng) == byid[i]["true"]
			 for i, v in sorted(voted.items()))
	m["given_ok"] = sum(byid[i]["label"] == byid[i]["true"] for i in voted)
	m["noisy_annotated"] = sum(byid[i]["noise"] != "" for i in voted)
	return m


README = """\
# Fashion-MNIST sample

{n} grayscale 28x28 clothing images from the Fashion-MNIST test set, with
labels deliberately corrupted in the train split and votes from five simulated
annotators.  The noise and the annotators are simulated; the images and their
true classes are real.

## Source and licence

Fashion-MNIST, Zalando Research (Han Xiao, Kashif Rasul, Roland Vollgraf,
"Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning
Algorithms", arXiv:1708.07747, 2017), MIT licence, Copyright (c) 2017 Zalando
SE.  Taken from the Debian package `dataset-fashion-mnist`
(`/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz` and
`t10k-labels-idx1-ubyte.gz`).  `source_index` in `items.csv` is the image's
0-based position in those files.

## Files

- `items.csv` - `id,image,label,split,source_index`; `image` is relative to
  this folder; `label` is the given (possibly wrong) label.
- `images/fNNNN.png` - 8-bit grayscale PNG, 28x28.
- `annotations.csv` - `item,annotator,label`: {votes} votes on
  {annotated} train items.
- `truth.csv` - `id,label`: the true Fashion-MNIST class of every item.
- `make_sample.py` - the script that wrote all of the above.

Classes, in Fashion-MNIST's label order (0-9):
{classes}.

## How it was made

    /usr/bin/python3 sample_data/fashion/make_sample.py

numpy `default_rng` with seed {seed}; the output is byte-identical on every
run (made with numpy {npver}).  The environment variable `FASHION_MNIST`
names another folder holding the two files.

1. Per class, {ptrain} train and {ptest} test images drawn without replacement
   from the 10,000-image test set: {train} train + {test} test items.  Ids
   `f0001`-`f{n:04d}` are given in a shuffled order, so classes and splits are
   interleaved.
2. The test split keeps the true labels: it is the clean evaluation set.
3. Label noise on the train split: {wrong} of {train} given labels are
   wrong ({wrongpct:.0f} %), in two disjoint sets of items.
   - Look-alike: {look} train items ({lookpct:.0f} %), drawn among those whose
     class has look-alikes, got a class drawn uniformly among the other
     members of its group ({groups}).
   - Symmetric: {sym} other train items ({sympct:.0f} %) got a class drawn
     uniformly among the 9 other classes; {sym_into_look} of these happen to
     land on a look-alike class.

   Look-alike flips, true -> given:

{pairs}

## Simulated annotators

{annotated} train items drawn at random get votes; they include
{noisy_annotated} of the {wrong} items with a wrong given label.  Each gets
votes from 3, 4 or 5 of the five annotators, the number and the annotators
drawn uniformly (items with 3 / 4 / 5 votes: {hist}).  Each annotator answers
from the item's true class, never from its given label.  The names are
neutral; which is which:

| annotator | kind | accuracy set | wrong answers go | votes | measured agreement with truth |
|---|---|---|---|---|---|
{table}

Majority vote over the annotated items (ties broken at random) matches the
truth on {mv_ok} of {annotated} ({mvpct:.1f} %); the given labels of the
same items are right on {given_ok} of {annotated} ({givenpct:.1f} %).
"""


def render_readme(m):
	rows = []
	for name, role, acc, near in ANNOTATORS:
		n, ok = m["annotators"].get(name, (0, 0))
		if role == "random":
			kind, a, wrong = "clicks at random", "0.10 (chance)", \
				"uniform over all 10 classes"
		else:
			kind, a = role, "%.2f" % acc
			wrong = ("%.0f %% to a look-alike where the class has "
				 "one, else uniform" % (near * 100))
		rows.append("| %s | %s | %s | %s | %d | %.3f (%d/%d) |" %
			    (name, kind, a, wrong, n, ok / n if n else 0, ok, n))
	pairs = "\n".join("   - %s -> %s: %d" % (t, g, k)
			  for (t, g), k in m["pairs"])
	train = m["train"]
	return README.format(
		n=m["n"], train=train, test=m["test"], votes=m["votes"],
		annotated=m["annotated"], classes=", ".join(
			"`%s`" % c for c in CLASSES),
		seed=SEED, npver=np.__version__, ptrain=PER_CLASS_TRAIN,
		ptest=PER_CLASS_TEST, wrong=m["wrong"],
		wrongpct=100 * m["wrong"] / train, look=m["look"],
		lookpct=100 * m["look"] / train, sym=m["sym"],
		sympct=100 * m["sym"] / train,
		sym_into_look=m["sym_into_look"],
		groups="; ".join(" / ".join(g) for g in GROUPS), pairs=pairs,
		noisy_annotated=m["noisy_annotated"],
		hist=" / ".join(str(m["vote_hist"][k]) for k in VOTES),
		table="\n".join(rows), mv_ok=m["mv_ok"],
		mvpct=100 * m["mv_ok"] / m["annotated"], given_ok=m["given_ok"],
		givenpct=100 * m["given_ok"] / m["annotated"])


def read_csv(name):
	with open(os.path.join(HERE, name), newline="", encoding="utf-8") as f:
		return list(csv.DictReader(f))


def check(items, votes, pixels):
	"""Reads the written files back and checks them against the plan."""
	rows = read_csv("items.csv")
	truth = {r["id"]: r["label"] for r in read_csv("truth.csv")}
	ann = read_csv("annotations.csv")
	ids = [r["id"] for r in rows]
	assert len(ids) == len(set(ids)) == len(items) == len(truth)
	assert set(ids) == set(truth)
	for r, it in zip(rows, items):
		assert r["label"] in CLASSES and truth[r["id"]] in CLASSES
		assert r["split"] in ("train", "test")
		if r["split"] == "test":
			assert r["label"] == truth[r["id"]]
		img = png_read_gray(os.path.join(HERE, r["image"]))
		assert (img == pixels[int(r["source_index"])]).all(), r["id"]
	pngs = os.listdir(os.path.join(HERE, "images"))
	assert len(pngs) == len(items)
	split = {r["id"]: r["split"] for r in rows}
	seen = set()
	for a in ann:
		assert split[a["item"]] == "train" and a["label"] in CLASSES
		assert (a["item"], a["annotator"]) not in seen
		seen.add((a["item"], a["annotator"]))
	assert len(ann) == len(votes)


def main():
	for name in (IMAGES, LABELS):
		if not os.path.isfile(os.path.join(SRC, name)):
			sys.exit("%s: not found; install the Debian package "
				 "dataset-fashion-mnist or set FASHION_MNIST to the "
				 "folder that holds it" % os.path.join(SRC, name))
	pixels = read_idx(os.path.join(SRC, IMAGES))
	labels = read_idx(os.path.join(SRC, LABELS))
	if pixels.shape[1:] != (28, 28) or len(labels) != len(pixels):
		sys.exit("%s: unexpected shapes %s, %s" %
			 (SRC, pixels.shape, labels.shape))
	rng = np.random.default_rng(SEED)
	items = pick_items(rng, labels)
	inject_noise(rng, items)
	votes = annotate(rng, items)
	write_files(items, votes, pixels)
	m = measure(items, votes)
	with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as f:
		f.write(render_readme(m))
	check(items, votes, pixels)
	print("fashion: %d items (%d train, %d test), %d wrong train labels "
	      "(%d look-alike, %d symmetric), %d votes on %d items" %
	      (m["n"], m["train"], m["test"], m["wrong"], m["look"], m["sym"],
	       m["votes"], m["annotated"]))


if __name__ == "__main__":
	main()
