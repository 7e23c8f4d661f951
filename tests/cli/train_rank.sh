#!/bin/sh
# train_rank.sh - a short training on the fashion sample, then rank, eval
# and audit read it back; determinism of the scores.
. "${TOP:-.}/tests/lib.sh"
S=${TOP:-.}/sample_data
F=$S/fashion
TRAIN="--epochs 3 --folds 2 --quiet --hidden 64 --threads 1"

# py_check NAME SCRIPT ARGS...: ok when the Python script exits 0; what it
# prints is shown under a failure.
py_check() {
	n=$1; s=$2; shift 2
	if out=$($PY -c "$s" "$@" 2>&1); then ok "$n"; else not_ok "$n" "$out"; fi
}

db=$TMP/f.db
"$RELABEL" import "$db" --items "$F/items.csv" \
	--annotations "$F/annotations.csv" > /dev/null 2>&1
if "$RELABEL" train "$db" $TRAIN --seed 5 > "$TMP/train.out" 2> "$TMP/train.err"
then
	ok "train exits 0"
else
	not_ok "train exits 0" "$(tail -3 "$TMP/train.err")"
fi
check "--quiet prints a summary and no progress" \
	grep -q '^run 1: coteach on 500 items' "$TMP/train.out" -a ! -s "$TMP/train.err"
check "one run stored" test "$(sql "$db" 'select count(*) from runs')" = 1
n=$(sql "$db" 'select count(*) from items' 2>/dev/null)
check "one score per item" test "${n:-0}" -gt 0 -a \
	"$(sql "$db" 'select count(*), count(distinct item) from scores where run=1')" = "$n|$n"
check "the run keeps its model" test \
	"$(sql "$db" 'select count(*) from models where run=1')" = 1
check "the run keeps its parameters" test \
	"$(sql "$db" "select json_extract(params, '\$.epochs'),
		json_extract(params, '\$.folds'), json_extract(params, '\$.seed')
		from runs")" = "3|2|5"
py_check "stored probabilities are distributions over the classes" '
import sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
C = db.execute("select count(*) from classes").fetchone()[0]
bad = []
for item, blob in db.execute("select item, probs from scores where run=1"):
    p = struct.unpack("<%df" % C, blob) if len(blob) == 4 * C else None
    if p is None or min(p) < 0 or abs(sum(p) - 1) > 1e-4: bad.append(item)
print(bad[:5]); sys.exit(1 if bad else 0)
' "$db"

# The queue: header, one row per unreviewed item, highest score first.
"$RELABEL" rank "$db" --format csv > "$TMP/rank.csv" 2> "$TMP/rank.err"
check "rank csv header" test "$(head -1 "$TMP/rank.csv")" = \
	"rank,id,label,suggested,score,loss,margin,entropy,disagreement,issue,why"
py_check "rank csv: one row per unreviewed item, scores non-increasing" '
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
want = {r[0] for r in db.execute("select ext_id from items where reviewed=0")}
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
ids = [r["id"] for r in rows]
bad = []
if len(ids) != len(set(ids)) or set(ids) != want:
    bad.append("%d rows, %d distinct, %d unreviewed items" % (len(ids), len(set(ids)), len(want)))
if [int(r["rank"]) for r in rows] != list(range(1, len(rows) + 1)): bad.append("ranks not 1..n")
s = [float(r["score"]) for r in rows]
bad += ["rank %d: %g after %g" % (k + 1, s[k], s[k - 1])
        for k in range(1, len(s)) if s[k] > s[k - 1]]
flagged = [r for r in rows if r["issue"] == "1"]
if not flagged: bad.append("nothing flagged")
if any(not r["suggested"] or r["suggested"] == r["label"] for r in flagged):
    bad.append("a flagged row without another suggested label")
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
' "$db" "$TMP/rank.csv"
"$RELABEL" rank "$db" --format csv --top 5 > "$TMP/top5.csv" 2>/dev/null
check "--top 5 gives 5 rows" test "$(tail -n +2 "$TMP/top5.csv" | wc -l)" -eq 5
check "--top 5 gives the first 5 rows" test -s "$TMP/top5.csv" -a \
	"$(tail -n +2 "$TMP/top5.csv")" = "$(sed -n 2,6p "$TMP/rank.csv")"

# The random queue is a seeded shuffle of the same items.
order() { "$RELABEL" rank "$db" --by random --seed "$1" --format csv 2>/dev/null |
	tail -n +2 | cut -d, -f2; }
order 3 > "$TMP/r3a"
order 3 > "$TMP/r3b"
order 4 > "$TMP/r4"
check "--by random: same seed, same order" \
	test -s "$TMP/r3a" -a "$(cat "$TMP/r3a")" = "$(cat "$TMP/r3b")"
check "--by random: another seed, another order" \
	test "$(cat "$TMP/r3a")" != "$(cat "$TMP/r4")"
check "--by random: a shuffle of the whole queue" test -s "$TMP/r3a" -a \
	"$(sort "$TMP/r3a")" = "$(tail -n +2 "$TMP/rank.csv" | cut -d, -f2 | sort)"
check "--by random: not the suspicion order" test \
	"$(cat "$TMP/r3a")" != "$(tail -n +2 "$TMP/rank.csv" | cut -d, -f2)"

"$RELABEL" rank "$db" --format jsonl > "$TMP/rank.jsonl" 2>/dev/null
py_check "rank jsonl parses and matches the csv" '
import csv, json, sys
js = [json.loads(l) for l in open(sys.argv[1])]
if not js: print("no rows"); sys.exit(1)
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
keys = {"rank", "id", "label", "suggested", "score", "loss", "margin",
        "entropy", "disagreement", "issue", "why"}
bad = [j for j in js if set(j) != keys][:1]
if [j["id"] for j in js] != [r["id"] for r in rows]: bad.append("order differs")
if any(abs(j["score"] - float(r["score"])) > 1e-5 for j, r in zip(js, rows)):
    bad.append("scores differ")
print(bad); sys.exit(1 if bad else 0)
' "$TMP/rank.jsonl" "$TMP/rank.csv"

# eval: the figures it prints, recomputed from the stored scores and the
# flags the queue shows.
"$RELABEL" eval "$db" --truth "$F/truth.csv" > "$TMP/eval.out" 2> "$TMP/eval.err"
check "eval exits 0" test $? -eq 0
py_check "eval: test accuracy from the stored probabilities" '
import csv, re, sqlite3, struct, sys
db = sqlite3.connect(sys.argv[1])
C = db.execute("select count(*) from classes").fetchone()[0]
n = right = 0
for label, blob in db.execute("select i.label, s.probs from scores s join items i"
                              " on i.id=s.item where s.run=1 and i.split=1"):
    p = struct.unpack("<%df" % C, blob)
    n += 1; right += max(range(C), key=lambda k: (p[k], -k)) == label
m = re.search(r"test split: (\d+) items, accuracy ([\d.]+)%", open(sys.argv[2]).read())
if not m or int(m.group(1)) != n or abs(float(m.group(2)) - 100 * right / n) > 0.006:
    print(m and m.groups(), n, right); sys.exit(1)
' "$db" "$TMP/eval.out"
py_check "eval: precision, recall and F1 of the flags against the truth" '
import csv, re, sys
items = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
truth = {r["id"]: r["label"] for r in csv.DictReader(open(sys.argv[2], newline=""))}
flag = {r["id"]: r["issue"] == "1" for r in csv.DictReader(open(sys.argv[3], newline=""))}
tr = [i for i, r in items.items() if r["split"] == "train"]
wrong = {i for i in tr if items[i]["label"] != truth[i]}
fl = {i for i in tr if flag[i]}
tp = len(wrong & fl); p = tp / len(fl); r = tp / len(wrong); f1 = 2 * p * r / (p + r)
text = open(sys.argv[4]).read()
m = re.search(r"wrong labels (\d+), flagged (\d+), correctly flagged (\d+)\s+"
              r"precision ([\d.]+)\s+recall ([\d.]+)\s+F1 ([\d.]+)", text)
want = (len(wrong), len(fl), tp)
bad = []
if not m:
    bad.append("no precision/recall/F1 lines")
elif tuple(int(x) for x in m.groups()[:3]) != want:
    bad.append("counts %s, expected %s" % (m.groups()[:3], want))
elif any(abs(float(x) - y) > 0.0006 for x, y in zip(m.groups()[3:], (p, r, f1))):
    bad.append("%s vs %.3f %.3f %.3f" % (m.groups()[3:], p, r, f1))
# The flags must beat flagging at random (precision = the noise rate).
elif p < 1.5 * len(wrong) / len(tr):
    bad.append("precision %.3f no better than chance %.3f" % (p, len(wrong) / len(tr)))
print("\n".join(bad)); sys.exit(1 if bad else 0)
' "$F/items.csv" "$F/truth.csv" "$TMP/rank.csv" "$TMP/eval.out"

# audit: the annotator who agrees least with the truth (the random
# clicker of the README) is among the worst two and has no information.
for set in fashion posts; do
	adb=$TMP/audit_$set.db
	[ $set = fashion ] && adb=$db
	[ -e "$adb" ] || "$RELABEL" import "$adb" --items "$S/$set/items.csv" \
		--annotations "$S/$set/annotations.csv" > /dev/null 2>&1
	"$RELABEL" audit "$adb" --format csv > "$TMP/audit.csv" 2>/dev/null
	py_check "$set: audit puts the random annotator among the worst two" '
import csv, sys
truth = {r["id"]: r["label"] for r in csv.DictReader(open(sys.argv[1], newline=""))}
acc = {}
for v in csv.DictReader(open(sys.argv[2], newline="")):
    a = acc.setdefault(v["annotator"], [0, 0]); a[0] += v["label"] == truth[v["item"]]; a[1] += 1
rand = min(acc, key=lambda a: acc[a][0] / acc[a][1])
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
worst = [r["annotator"] for r in rows[:2]]
if len(rows) != len(acc) or rand not in worst: print(rand, worst, len(rows)); sys.exit(1)
' "$S/$set/truth.csv" "$S/$set/annotations.csv" "$TMP/audit.csv"
	py_check "$set: audit flags the random annotator, and only it, as no-information" '
import csv, sys
truth = {r["id"]: r["label"] for r in csv.DictReader(open(sys.argv[1], newline=""))}
acc = {}
for v in csv.DictReader(open(sys.argv[2], newline="")):
    a = acc.setdefault(v["annotator"], [0, 0]); a[0] += v["label"] == truth[v["item"]]; a[1] += 1
rand = min(acc, key=lambda a: acc[a][0] / acc[a][1])
flagged = sorted(r["annotator"] for r in csv.DictReader(open(sys.argv[3], newline=""))
                 if r["no_information"] == "1")
if flagged != [rand]: print("random clicker %s; flagged %s" % (rand, flagged)); sys.exit(1)
' "$S/$set/truth.csv" "$S/$set/annotations.csv" "$TMP/audit.csv"
done
rm -f "$TMP/cons.csv"
"$RELABEL" audit "$db" --consensus "$TMP/cons.csv" > /dev/null 2>&1
py_check "audit --consensus: a row per voted item with its majority" '
import csv, collections, sys
votes = collections.defaultdict(list)
for v in csv.DictReader(open(sys.argv[1], newline="")): votes[v["item"]].append(v["label"])
classes = {r["label"] for r in csv.DictReader(open(sys.argv[2], newline=""))}
f = open(sys.argv[3], newline="")
if f.readline().strip() != "id,label,posterior,majority,tie": print("header"); sys.exit(1)
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
bad = []
if sorted(r["id"] for r in rows) != sorted(votes):
    bad.append("%d rows for %d voted items" % (len(rows), len(votes)))
for r in rows:
    c = collections.Counter(votes.get(r["id"], [])).most_common()
    if not c: continue
    top = [k for k, n in c if n == c[0][1]]
    if r["tie"] != str(int(len(top) > 1)):
        bad.append("%s: tie %s, votes %s" % (r["id"], r["tie"], c))
    if r["majority"] not in top:
        bad.append("%s: majority %s, votes %s" % (r["id"], r["majority"], c))
    if r["label"] not in classes or not 0 <= float(r["posterior"]) <= 1:
        bad.append("%s: %s" % (r["id"], r))
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
' "$F/annotations.csv" "$F/items.csv" "$TMP/cons.csv"

# Determinism: the same seed and one thread give the same bytes.
for k in a b c; do
	"$RELABEL" import "$TMP/det_$k.db" --items "$F/items.csv" > /dev/null 2>&1
done
"$RELABEL" train "$TMP/det_a.db" $TRAIN --seed 11 > /dev/null 2>&1
"$RELABEL" train "$TMP/det_b.db" $TRAIN --seed 11 > /dev/null 2>&1
"$RELABEL" train "$TMP/det_c.db" $TRAIN --seed 12 > /dev/null 2>&1
probs() { sql "$1" 'select hex(probs) from scores where run=1 order by item' | sha256sum; }
check "same seed, same probabilities" test \
	"$(sql "$TMP/det_a.db" 'select count(*) from scores')" -eq 600 -a \
	"$(probs "$TMP/det_a.db")" = "$(probs "$TMP/det_b.db")"
check "another seed, other probabilities" test \
	"$(probs "$TMP/det_a.db")" != "$(probs "$TMP/det_c.db")"
check "same seed, same model" test \
	"$(sql "$TMP/det_a.db" 'select count(*) from models')" -eq 1 -a \
	"$(sql "$TMP/det_a.db" 'select hex(blob) from models' | sha256sum)" = \
	"$(sql "$TMP/det_b.db" 'select hex(blob) from models' | sha256sum)"
