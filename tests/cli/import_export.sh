#!/bin/sh
# import_export.sh - import, info and export on both sample sets; round
# trips through CSV and JSONL; imported probabilities; formula escaping.
. "${TOP:-.}/tests/lib.sh"
S=${TOP:-.}/sample_data

# run NAME CMD...: runs a command, keeping its output in $TMP/NAME.out and
# its errors in $TMP/NAME.err; returns its exit status.
run() {
	n=$1; shift
	"$@" > "$TMP/$n.out" 2> "$TMP/$n.err"
}

# py_check NAME SCRIPT ARGS...: ok when the Python script exits 0; what it
# prints is shown under a failure.
py_check() {
	n=$1; s=$2; shift 2
	if out=$($PY -c "$s" "$@" 2>&1); then ok "$n"; else not_ok "$n" "$out"; fi
}

# same_sql A B QUERY: the query gives the same rows, and some, on both.
same_sql() {
	a=$(sql "$1" "$3" 2>&1) && [ -n "$a" ] && [ "$a" = "$(sql "$2" "$3" 2>&1)" ]
}

# Counts from the input files, compared with what info prints.
INFO_CHECK='
import csv, re, sys
items, votes, info = sys.argv[1:4]
rows = list(csv.DictReader(open(items, newline="", encoding="utf-8")))
vrows = list(csv.DictReader(open(votes, newline="", encoding="utf-8")))
text = open(info, encoding="utf-8").read()
bad = []
def want(pat, vals):
    m = re.search(pat, text, re.M)
    if not m:
        bad.append("no line matching %r" % pat); return
    got = tuple(int(g) for g in m.groups())
    if got != vals:
        bad.append("%s: got %s, expected %s" % (pat, got, vals))
split = lambda s: sum(r["split"] == s for r in rows)
nimg = sum(bool(r.get("image")) for r in rows)
want(r"^items\s+(\d+) \((\d+) train, (\d+) test, (\d+) holdout; (\d+) images, (\d+) texts",
     (len(rows), split("train"), split("test"), split("holdout"), nimg, len(rows) - nimg))
want(r"^annotators (\d+), votes (\d+)", (len({v["annotator"] for v in vrows}), len(vrows)))
labels = sorted({r["label"] for r in rows} | {v["label"] for v in vrows})
want(r"^classes\s+(\d+)", (len(labels),))
for c in labels:
    n = lambda s: sum(r["label"] == c and r["split"] == s for r in rows)
    want(r"^  " + re.escape(c) + r"\s+(\d+)\s+(\d+)\s+(\d+)$",
         (n("train"), n("test"), n("holdout")))
want(r"^reviews\s+(\d+) log entries, (\d+) labels changed", (0, 0))
want(r"^runs\s+(\d+)", (0,))
print("\n".join(bad)); sys.exit(1 if bad else 0)
'

# The export has one row per item with the given label as given.
EXPORT_CHECK='
import csv, sys
items, export = sys.argv[1:3]
src = {r["id"]: r for r in csv.DictReader(open(items, newline="", encoding="utf-8"))}
out = list(csv.DictReader(open(export, newline="", encoding="utf-8")))
bad = []
if [r["id"] for r in out] != list(src):
    bad.append("ids or their order differ: %d rows, %d items" % (len(out), len(src)))
for r in out:
    s = src.get(r["id"])
    if s is None: continue
    got = (r["given_label"], r["label"], r["changed"], r["split"])
    if got != (s["label"], s["label"], "0", s["split"]):
        bad.append("%s: %s" % (r["id"], r))
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
'

for set in fashion posts; do
	db=$TMP/$set.db
	items=$S/$set/items.csv
	votes=$S/$set/annotations.csv
	# A permissive umask must not loosen the project's mode.
	if (umask 0; run imp_$set "$RELABEL" import "$db" --items "$items" \
		--annotations "$votes"); then
		ok "$set: import exits 0"
	else
		not_ok "$set: import exits 0" "$(cat "$TMP/imp_$set.err")"
	fi
	check "$set: project file mode 0600" \
		test "$(stat -c %a "$db" 2>/dev/null)" = 600
	for side in "$db-wal" "$db-shm"; do
		[ -e "$side" ] || continue
		check "$set: $(basename "$side") mode 0600" \
			test "$(stat -c %a "$side")" = 600
	done
	check "$set: integrity_check ok" test -s "$db" -a \
		"$(sql "$db" 'PRAGMA integrity_check')" = ok
	run info_$set "$RELABEL" info "$db"
	py_check "$set: info counts match the input files" "$INFO_CHECK" \
		"$items" "$votes" "$TMP/info_$set.out"
	run exp_$set "$RELABEL" export "$db" -o "$TMP/$set.export.csv"
	py_check "$set: export has every item with its given label" \
		"$EXPORT_CHECK" "$items" "$TMP/$set.export.csv"
	check "$set: -o writes the file and leaves no temporary one" \
		test -s "$TMP/$set.export.csv" -a ! -e "$TMP/$set.export.csv.tmp"

	# A fresh project has no changed labels: a header and no rows.
	"$RELABEL" export "$db" --changed-only > "$TMP/changed.csv"
	check "$set: --changed-only on a fresh project is the header only" \
		test "$(cat "$TMP/changed.csv")" = \
		"id,given_label,label,changed,reviewer,reviewed_at,split,suggested,issue,score"
	"$RELABEL" export "$db" --changed-only --format jsonl > "$TMP/changed.jsonl"
	rc=$?
	"$RELABEL" export "$db" --format jsonl > "$TMP/all.jsonl"
	check "$set: --changed-only jsonl on a fresh project is empty" \
		test $rc -eq 0 -a ! -s "$TMP/changed.jsonl" -a -s "$TMP/all.jsonl"
done

# Round trip: the exported labels, with the original image or text
# columns, imported into a new project, export the same labels.
ROUNDTRIP_MAKE='
import csv, sys
items, export, out = sys.argv[1:4]
src = {r["id"]: r for r in csv.DictReader(open(items, newline="", encoding="utf-8"))}
exp = list(csv.DictReader(open(export, newline="", encoding="utf-8")))
col = "image" if "image" in next(iter(src.values())) else "text"
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["id", col, "label", "split"])
    for r in exp:
        w.writerow([r["id"], src[r["id"]][col], r["label"], r["split"]])
'
SAME_LABELS='
import csv, sys
a, b = (list(csv.DictReader(open(p, newline="", encoding="utf-8"))) for p in sys.argv[1:3])
key = lambda rows: [(r["id"], r["given_label"], r["label"], r["split"]) for r in rows]
ka, kb = key(a), key(b)
diff = [(x, y) for x, y in zip(ka, kb) if x != y]
if len(ka) != len(kb) or diff or not ka:
    print("rows %d vs %d; first differences %s" % (len(ka), len(kb), diff[:3])); sys.exit(1)
'
for set in fashion posts; do
	$PY -c "$ROUNDTRIP_MAKE" "$S/$set/items.csv" "$TMP/$set.export.csv" \
		"$TMP/rt_$set.items.csv"
	# The image paths are relative to the sample folder: --root names it.
	rt=$TMP/rt_$set.db
	run rt_imp "$RELABEL" import "$rt" --items "$TMP/rt_$set.items.csv" \
		--root "$S/$set"
	check "$set: re-import of the export exits 0" test $? -eq 0
	"$RELABEL" export "$rt" > "$TMP/rt_$set.csv" 2>/dev/null
	py_check "$set: round trip keeps ids, labels and splits" "$SAME_LABELS" \
		"$TMP/$set.export.csv" "$TMP/rt_$set.csv"
	check "$set: round trip keeps the paths and texts" same_sql \
		"$TMP/$set.db" "$rt" 'select ext_id, kind, path, text from items order by id' 
done

# JSON lines: the posts as one object a line give the same project.
$PY -c '
import csv, json, sys
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for r in csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")):
        r["source_line"] = int(r["source_line"])
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
' "$S/posts/items.csv" "$TMP/posts.jsonl"
if run jsonl "$RELABEL" import "$TMP/jsonl.db" --items "$TMP/posts.jsonl"; then
	ok "posts: JSONL import exits 0"
else
	not_ok "posts: JSONL import exits 0" "$(cat "$TMP/jsonl.err")"
fi
"$RELABEL" export "$TMP/jsonl.db" > "$TMP/jsonl.csv" 2>/dev/null
py_check "posts: JSONL import gives the CSV import's labels" "$SAME_LABELS" \
	"$TMP/posts.export.csv" "$TMP/jsonl.csv"
check "posts: JSONL import gives the same texts" same_sql \
	"$TMP/posts.db" "$TMP/jsonl.db" 'select ext_id, text from items order by id'
check "posts: JSONL numbers kept as metadata text" same_sql \
	"$TMP/posts.db" "$TMP/jsonl.db" \
	"select ext_id, json_extract(meta, '\$.source_line') from items order by id"

# Imported probabilities: softmax rows of seeded random logits.
$PY -c '
import numpy as np, sys
rng = np.random.default_rng(7)
z = rng.normal(0, 2, size=(600, 10))
p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
np.save(sys.argv[1], p.astype(np.float32))
' "$TMP/probs.npy"
pdb=$TMP/probs.db
if run probs "$RELABEL" import "$pdb" --items "$S/fashion/items.csv" \
	--probs "$TMP/probs.npy"; then
	ok "--probs: import exits 0"
else
	not_ok "--probs: import exits 0" "$(cat "$TMP/probs.err")"
fi
check "--probs: one imported run" test \
	"$(sql "$pdb" "select count(*), max(method) from runs")" = "1|imported"
check "--probs: one score row per item" test \
	"$(sql "$pdb" "select count(*) from scores where run=1")" = 600
check "--probs: stored probabilities are the file's float32 rows" test \
	"$(sql "$pdb" "select lower(hex(probs)) from scores s join items i
		on i.id=s.item where ext_id='f0017'")" = \
	"$($PY -c '
import csv, numpy as np, sys
ids = [r["id"] for r in csv.DictReader(open(sys.argv[2], newline=""))]
print(np.load(sys.argv[1])[ids.index("f0017")].tobytes().hex())
' "$TMP/probs.npy" "$S/fashion/items.csv")"
if run rank_p "$RELABEL" rank "$pdb" --format csv; then
	ok "--probs: rank works without training"
else
	not_ok "--probs: rank works without training" "$(cat "$TMP/rank_p.err")"
fi
# With probabilities only, suspicion is 1 - p_y, or 1 + (p_s - p_y) for a
# flagged item (queue.h); the loss is -log p_y.
py_check "--probs: rank scores follow the probabilities" '
import csv, math, sys, numpy as np
p = np.load(sys.argv[1]).astype(np.float64)
items = list(csv.DictReader(open(sys.argv[2], newline="")))
idx = {r["id"]: i for i, r in enumerate(items)}
classes = sorted({r["label"] for r in items})
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
bad = []
if len(rows) != len(items): bad.append("%d rows for %d items" % (len(rows), len(items)))
last = math.inf
for r in rows:
    i = idx[r["id"]]; y = classes.index(items[i]["label"])
    s = float(r["score"])
    if s > last + 1e-9: bad.append("not ordered at rank %s" % r["rank"])
    last = s
    if r["issue"] == "1":
        want = 1 + max(0, p[i, classes.index(r["suggested"])] - p[i, y])
    else:
        want = 1 - p[i, y]
    if abs(s - want) > 1e-5:
        bad.append("%s: score %s, expected %.6f" % (r["id"], r["score"], want))
    if abs(float(r["loss"]) + math.log(p[i, y])) > 1e-4:
        bad.append("%s: loss %s" % (r["id"], r["loss"]))
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
' "$TMP/probs.npy" "$S/fashion/items.csv" "$TMP/rank_p.out"

# The imported run carries its ranking, as a trained run does, so the
# review screen's first page reads it without ranking again.
sql "$pdb" "select i.ext_id, s.suspicion, s.issue from scores s
	join items i on i.id=s.item where s.run=1" > "$TMP/stored_p.txt"
py_check "--probs: the run stores the ranking rank prints" '
import csv, sys
stored = {}
for line in open(sys.argv[1]):
    ext, susp, issue = line.rstrip("\n").split("|")
    stored[ext] = (susp, issue)
bad = []
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
if len(stored) != len(rows): bad.append("%d stored, %d ranked" % (len(stored), len(rows)))
for r in rows:
    susp, issue = stored.get(r["id"], ("", ""))
    if susp == "" or abs(float(susp) - float(r["score"])) > 1e-5:
        bad.append("%s: stored %r, rank %s" % (r["id"], susp, r["score"]))
    if issue != r["issue"]:
        bad.append("%s: stored issue %r, rank %s" % (r["id"], issue, r["issue"]))
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
' "$TMP/stored_p.txt" "$TMP/rank_p.out"

# Votes only: suspicion is (q + d/2) / 1.5 with q the Dawid-Skene doubt
# of the label and d the vote entropy over log C (queue.h).
db=$TMP/fashion.db
"$RELABEL" rank "$db" --by disagreement --format csv > "$TMP/dis.csv" 2>/dev/null
"$RELABEL" rank "$db" --format csv > "$TMP/sus.csv" 2>/dev/null
"$RELABEL" audit "$db" --consensus "$TMP/cons.csv" > /dev/null 2>&1
VOTE_ENTROPY='
import csv, math, sys, collections
votes = collections.defaultdict(list)
for v in csv.DictReader(open(sys.argv[1], newline="")): votes[v["item"]].append(v["label"])
C = len({r["label"] for r in csv.DictReader(open(sys.argv[2], newline=""))})
def H(vs):
    n = len(vs)
    return -sum(c / n * math.log(c / n)
                for c in collections.Counter(vs).values()) / math.log(C)
'
py_check "votes only: --by disagreement is the vote entropy, highest first" "$VOTE_ENTROPY"'
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
bad = []; last = math.inf; seen_empty = False
for r in rows:
    if r["score"] == "":
        seen_empty = True
        if r["id"] in votes: bad.append("%s has votes but no score" % r["id"])
        continue
    if seen_empty: bad.append("scored row after unscored ones: %s" % r["id"])
    s = float(r["score"])
    if abs(s - H(votes[r["id"]])) > 1e-5:
        bad.append("%s: %s vs %.6f" % (r["id"], s, H(votes[r["id"]])))
    if s > last + 1e-9: bad.append("not ordered at %s" % r["rank"])
    last = s
if sum(r["score"] != "" for r in rows) != len(votes): bad.append("scored rows != voted items")
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
' "$S/fashion/annotations.csv" "$S/fashion/items.csv" "$TMP/dis.csv"
py_check "votes only: suspicion blends Dawid-Skene doubt and disagreement" "$VOTE_ENTROPY"'
cons = {r["id"]: r for r in csv.DictReader(open(sys.argv[4], newline=""))}
rows = list(csv.DictReader(open(sys.argv[3], newline="")))
nitems = sum(1 for _ in csv.DictReader(open(sys.argv[2], newline="")))
bad = [] if len(rows) == nitems else ["%d rows for %d items" % (len(rows), nitems)]
last = math.inf
for r in rows:
    s = float(r["score"])
    if s > last + 1e-9: bad.append("not ordered at %s" % r["rank"])
    last = s
    if r["id"] not in votes:
        if s != 0: bad.append("%s: no votes, score %s" % (r["id"], s))
        continue
    c = cons[r["id"]]; d = H(votes[r["id"]]); post = float(c["posterior"])
    if c["label"] == r["label"]:
        if abs(s - (1 - post + d / 2) / 1.5) > 1e-4: bad.append("%s: %s" % (r["id"], s))
    elif s < (post + d / 2) / 1.5 - 1e-4: bad.append("%s: %s too low" % (r["id"], s))
print("\n".join(bad[:5])); sys.exit(1 if bad else 0)
' "$S/fashion/annotations.csv" "$S/fashion/items.csv" "$TMP/sus.csv" "$TMP/cons.csv"

# Ids a spreadsheet would run as formulas are written with a leading '.
printf 'id,text,label\n=cmd|calc,one,a\n+x,two,b\n-x,three,a\n@x,four,b\nplain,five,a\n' \
	> "$TMP/formula.csv"
"$RELABEL" import "$TMP/formula.db" --items "$TMP/formula.csv" > /dev/null 2>&1
"$RELABEL" export "$TMP/formula.db" > "$TMP/formula.out" 2>/dev/null
py_check "export escapes formula-like ids" '
import csv, sys
ids = [r["id"] for r in csv.DictReader(open(sys.argv[1], newline=""))]
want = ["\x27=cmd|calc", "\x27+x", "\x27-x", "\x27@x", "plain"]
if ids != want: print(ids); sys.exit(1)
' "$TMP/formula.out"
"$RELABEL" rank "$TMP/formula.db" --format csv --by random > "$TMP/formula_rank.out" 2>/dev/null
py_check "rank csv escapes formula-like ids" '
import csv, sys
ids = sorted(r["id"] for r in csv.DictReader(open(sys.argv[1], newline="")))
want = sorted(["\x27=cmd|calc", "\x27+x", "\x27-x", "\x27@x", "plain"])
if ids != want: print(ids); sys.exit(1)
' "$TMP/formula_rank.out"
