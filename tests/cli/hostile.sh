#!/bin/sh
# hostile.sh - input made to hurt: huge lines and headers, pipes and
# devices, poisoned .npy and images, SQL and formulas as labels, terminal
# escapes in every field, odd project files and a full disk.  Each is
# refused with a message and the right exit status, leaves what is stored
# as it was, or (where the data is merely strange) is kept exactly and
# shown safely.  The malformed inputs of malformed.sh are not repeated.
. "${TOP:-.}/tests/lib.sh"
S=${TOP:-.}/sample_data
H=${TOP:-.}/tests/cli/data/hostile
D=$TMP/d
mkdir -p "$D"
SMALL=$TMP/small
cleanup() {
	mountpoint -q "$SMALL" 2>/dev/null && umount "$SMALL"
	chattr -i "$TMP/imm.db" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
TRAIN="--epochs 1 --folds 2 --hidden 8 --threads 1 --quiet"
imp() { "$RELABEL" import "$@"; }

# state DB: the SQL dump and version pragmas of a project, the bytes of
# any other file, or "absent" (with no journal left beside it).
state() {
	if [ ! -e "$1" ] && [ ! -L "$1" ]; then
		for x in -wal -shm -journal; do
			[ -e "$1$x" ] && { echo "absent but $1$x exists"; return; }
		done
		echo absent
	elif [ -f "$1" ] && [ -s "$1" ] &&
	     sqlite3 -batch "$1" 'PRAGMA user_version; PRAGMA application_id' \
		> "$TMP/pragmas" 2>/dev/null; then
		{ cat "$TMP/pragmas"; sqlite3 -batch "$1" .dump; } | sha256sum
	elif [ -d "$1" ]; then
		echo "directory $(ls -A "$1" | wc -l)"
	else
		sha256sum < "$1"
	fi
}

# raw FILE: true when FILE holds a control byte a terminal would act on
# (C0 but tab and newline, DEL, C1 as UTF-8, bidirectional controls).
RAW='[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]'
RAW="$RAW"'|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]'
raw() { LC_ALL=C grep -aqP "$RAW" "$1"; }

# expect NAME STATUS FRAGMENT DB CMD...: ok when CMD exits STATUS within
# 30 seconds, prints FRAGMENT on stderr (unless empty), prints no raw control
# byte, and leaves DB as it was.
# "imp" as CMD stands for relabel import.
expect() {
	e_name=$1 e_want=$2 e_frag=$3 e_db=$4
	shift 4
	[ "$1" = imp ] && { shift; set -- "$RELABEL" import "$@"; }
	e_before=$(state "$e_db")
	timeout 30 "$@" > "$TMP/stdout" 2> "$TMP/stderr"
	e_rc=$?
	e_after=$(state "$e_db")
	set --
	[ "$e_rc" -ne 124 ] || set -- "$@" "timed out (a hang)"
	[ "$e_rc" -eq "$e_want" ] ||
		set -- "$@" "exit status $e_rc, expected $e_want"
	[ -z "$e_frag" ] || grep -qF -- "$e_frag" "$TMP/stderr" ||
		set -- "$@" "stderr lacks '$e_frag': $(head -c 400 "$TMP/stderr")"
	! raw "$TMP/stderr" && ! raw "$TMP/stdout" ||
		set -- "$@" "raw control bytes in the output"
	[ "$e_before" = "$e_after" ] ||
		set -- "$@" "project changed ($e_before -> $e_after)"
	if [ $# -eq 0 ]; then ok "$e_name"; else not_ok "$e_name" "$@"; fi

	# What a failed case left must not decide the next one.
	[ "$e_db" != "$NEW" ] || rm -f "$NEW" "$NEW-wal" "$NEW-shm" "$NEW-journal"
}

# py_check NAME SCRIPT ARGS...: ok when the Python script exits 0.
py_check() {
	n=$1; s=$2; shift 2
	if out=$($PY -c "$s" "$@" 2>&1); then ok "$n"; else not_ok "$n" "$out"; fi
}

# A small existing project that bad input must leave alone.
printf 'id,text,label\nx1,one,a\nx2,two,b\nx3,three,a\n' > "$D/good.csv"
printf 'item,annotator,label\nx1,w1,a\nx2,w1,b\n' > "$D/good_votes.csv"
BASE=$TMP/base.db
imp "$BASE" --items "$D/good.csv" --annotations "$D/good_votes.csv" \
	> /dev/null 2>&1 || not_ok "base project imports"
NEW=$TMP/new.db

# ---- sizes: lines, fields and headers far past the limits ----
$PY -c '
import json, sys
d = sys.argv[1]
big = 10 * 1024 * 1024
open(d + "/long.csv", "w").write("id,text,label\nx9," + "a" * big + ",a\n")
open(d + "/longq.csv", "w").write("id,text,label\nx9,\"" + "a,\n" * (big // 3) + "\",a\n")
open(d + "/noeol.csv", "w").write("b" * big)
open(d + "/wide.csv", "w").write(",".join("c%d" % i for i in range(100000)) + "\n1\n")
open(d + "/long.jsonl", "w").write(json.dumps({"id": "j", "text": "t" * big, "label": "a"}) + "\n")
open(d + "/wide.jsonl", "w").write(json.dumps({"k%d" % i: 1 for i in range(100000)}) + "\n")
' "$D"
expect "10 MB line of one field" 1 "long.csv:2:4: field longer than 1 MiB" \
	"$NEW" imp "$NEW" --items "$D/long.csv"
expect "10 MB quoted field with commas and newlines" 1 \
	"longq.csv:2:4: field longer than 1 MiB" "$BASE" \
	imp "$BASE" --items "$D/longq.csv"
expect "10 MB without a line end" 1 "noeol.csv:1:1: field longer than 1 MiB" \
	"$NEW" imp "$NEW" --items "$D/noeol.csv"
expect "100,000 columns in a header" 1 "more than 4096 columns" "$BASE" \
	imp "$BASE" --items "$D/wide.csv"
expect "10 MB JSON string" 1 "long.jsonl:1:21: field longer than 1 MiB" \
	"$NEW" imp "$NEW" --items "$D/long.jsonl"
expect "100,000 keys in a JSON line" 1 "wide.jsonl:1: more than 4096 keys" \
	"$NEW" imp "$NEW" --items "$D/wide.jsonl"

# ---- byte-order marks and line ends ----
expect "CSV with only a byte-order mark" 1 "bom_only.csv: empty file" "$NEW" \
	imp "$NEW" --items "$H/bom_only.csv"
expect "byte-order mark in the middle (files joined)" 1 \
	"bom_middle.csv:4:1: byte-order mark (U+FEFF) inside the 'id' field" \
	"$BASE" imp "$BASE" --items "$H/bom_middle.csv"
expect "byte-order mark inside an annotator name" 1 \
	"bom_votes.csv:3:4: byte-order mark (U+FEFF) inside the 'annotator'" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --annotations "$H/bom_votes.csv"
db=$TMP/nl.db
expect "CRLF, LF and CR mixed" 0 "" "$NEW" \
	imp "$db" --items "$H/mixed_newlines.csv"
check "mixed line ends: ids, labels and the text kept exactly" test \
	"$(sql "$db" "select group_concat(ext_id || ':' || label || ':' ||
		hex(text), ' ') from items")" = "m1:0:6F6E65 m2:1:74776F \
m3:0:6C696E650D0A627265616B0A616E640D6D6F7265 m4:1:666F7572"

# ---- pipes, devices and directories are refused before reading ----
mkfifo "$D/fifo.csv" "$D/fifo.npy"
expect "items file that is a FIFO (no writer)" 1 \
	"fifo.csv: not a regular file (a pipe)" "$NEW" \
	imp "$NEW" --items "$D/fifo.csv"
expect "items file /dev/zero" 1 "/dev/zero: not a regular file (a device)" \
	"$NEW" imp "$NEW" --items /dev/zero
expect "items file /dev/urandom into a project" 1 \
	"/dev/urandom: not a regular file (a device)" "$BASE" \
	imp "$BASE" --items /dev/urandom
expect "items file that is a directory" 1 "not a regular file (a directory)" \
	"$NEW" imp "$NEW" --items "$D"
expect "votes file that is a FIFO" 1 "fifo.csv: not a regular file (a pipe)" \
	"$BASE" imp "$BASE" --items "$D/good.csv" --annotations "$D/fifo.csv"
expect "features file that is a FIFO" 1 "fifo.npy: not a regular file" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --features "$D/fifo.npy"
expect "probabilities from /dev/zero" 1 "/dev/zero: not a regular file" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --probs /dev/zero
R=$D/root
mkdir -p "$R/images"
cp "$S/fashion/images/f0001.png" "$R/images/a.png"
mkfifo "$R/images/pipe.png"
printf 'id,image,label\ni1,images/a.png,a\ni2,images/pipe.png,b\n' > "$R/pipe.csv"
expect "image that is a FIFO" 1 \
	"pipe.csv:3:4: image 'images/pipe.png' is not a regular file" "$NEW" \
	imp "$NEW" --items "$R/pipe.csv"

# ---- .npy: values and shapes that lie ----
$PY -c '
import numpy as np, sys
d = sys.argv[1]
x = np.ones((3, 4), np.float32); x[1, 2] = np.nan; np.save(d + "/fnan.npy", x)
x = np.ones((3, 4), np.float32); x[2, 0] = np.inf; np.save(d + "/finf.npy", x)
x = np.ones((3, 4), np.float64); x[0, 3] = -np.inf; np.save(d + "/fninf.npy", x)
p = np.array([[0.5, 0.5], [np.inf, 0], [1, 0]], np.float32); np.save(d + "/pinf.npy", p)
def fake(name, shape, payload):
    h = ("{\x27descr\x27: \x27<f4\x27, \x27fortran_order\x27: False, "
         "\x27shape\x27: %s, }" % (shape,)).encode()
    h += b" " * (118 - len(h)) + b"\n"
    head = b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little")
    open(d + "/" + name, "wb").write(head + h + payload)
fake("claim.npy", (3, 1000000000), b"\0" * 48)
fake("absurd.npy", (3000000000, 3000000000), b"\0" * 48)
' "$D"
expect "features with NaN name row and column" 1 "fnan.npy: x[1, 2] is NaN" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --features "$D/fnan.npy"
expect "features with +inf" 1 "finf.npy: x[2, 0] is infinite" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --features "$D/finf.npy"
expect "float64 features with -inf" 1 "fninf.npy: x[0, 3] is infinite" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --features "$D/fninf.npy"
expect "probabilities with +inf" 1 "pinf.npy: x[1, 0] is infinite" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --probs "$D/pinf.npy"
expect ".npy claiming 12 GB in a 176-byte file" 1 \
	"claim.npy: truncated data: the shape needs 12000000000 bytes, the file has 48" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --features "$D/claim.npy"
expect ".npy claiming 9e18 elements" 1 "absurd.npy: array too large" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --features "$D/absurd.npy"

# ---- classes and annotators in bulk ----
$PY -c '
import sys
d = sys.argv[1]
open(d + "/longclass.csv", "w").write("id,text,label\nl1,one," + "L" * 10000 + "\nl2,two,b\n")
with open(d + "/c2000.csv", "w") as f:
    f.write("id,text,label\n")
    for i in range(2000): f.write("c%d,t,k%d\n" % (i, i))
open(d + "/c2000.txt", "w").write(",".join("k%d" % i for i in range(2000)))
with open(d + "/crowd.csv", "w") as f:
    f.write("item,annotator,label\n")
    for i in range(100000): f.write("x1,w%06d,%s\n" % (i, "ab"[i % 3 == 0]))
' "$D"
db=$TMP/longclass.db
expect "10,000-character class name imports" 0 "" "$NEW" \
	imp "$db" --items "$D/longclass.csv"
"$RELABEL" export "$db" > "$TMP/longclass.out" 2>&1
py_check "10,000-character class name exported exactly" '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
sys.exit(0 if [r["label"] for r in rows] == ["L" * 10000, "b"] else 1)
' "$TMP/longclass.out"
expect "2,000 labels are more classes than the limit" 1 \
	"c2000.csv:1002:9: 2000 different labels, but a project holds at most 1000 classes" \
	"$NEW" imp "$NEW" --items "$D/c2000.csv"
expect "2,000 names in --classes" 1 "more than 1000 classes" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --classes "$(cat "$D/c2000.txt")"
db=$TMP/crowd.db
expect "100,000 annotators on one item import" 0 "" "$NEW" \
	imp "$db" --items "$D/good.csv" --annotations "$D/crowd.csv"
"$RELABEL" info "$db" > "$TMP/crowd.info" 2>&1
check "100,000 annotators all stored" \
	grep -q '^annotators 100000, votes 100000$' "$TMP/crowd.info"
expect "audit of 100,000 annotators" 0 "" "$db" "$RELABEL" audit "$db"

# ---- SQL in the data is data ----
db=$TMP/sql.db
expect "SQL-looking ids, labels, annotators and metadata import" 0 "" "$NEW" \
	imp "$db" --items "$H/sql.csv" --annotations "$H/sql_votes.csv"
TABLES="select group_concat(name, ' ') from (select name from sqlite_master
	where type in ('table', 'trigger', 'index') order by name)"
check "the tables, indexes and triggers are all there" test \
	"$(sql "$db" "$TABLES")" = "$(sql "$BASE" "$TABLES")"
check "ids, labels, annotators and metadata stored literally" test \
	"$(sql "$db" "select count(*) from items where ext_id in
		('''); DROP TABLE items;--', '1 OR 1=1')")|$(sql "$db" \
	"select group_concat(name, '/') from classes")|$(sql "$db" \
	"select name from annotators")|$(sql "$db" \
	"select json_extract(meta, '\$.note') from items order by id limit 1")" \
	= "2|'); DROP TABLE items;--/b\" OR \"1\"=\"1|'); DROP TABLE \
annotators;--|x'); DELETE FROM reviews;--"
"$RELABEL" export "$db" > "$TMP/sql.csv" 2>&1
"$RELABEL" export "$db" --format jsonl > "$TMP/sql.jsonl" 2>&1
py_check "SQL-looking values exported literally (CSV and JSONL)" '
import csv, json, sys
want = [("\x27); DROP TABLE items;--", "\x27); DROP TABLE items;--"),
        ("1 OR 1=1", "b\" OR \"1\"=\"1")]
c = [(r["id"], r["label"]) for r in csv.DictReader(open(sys.argv[1], newline=""))]
j = [(o["id"], o["label"]) for o in map(json.loads, open(sys.argv[2]))]
print(c, j); sys.exit(0 if c == want and j == want else 1)
' "$TMP/sql.csv" "$TMP/sql.jsonl"

# ---- spreadsheet formulas in labels, annotators, reviewers ----
db=$TMP/formula.db
expect "formula-like labels and annotators import" 0 "" "$NEW" \
	imp "$db" --items "$H/formula.csv" --annotations "$H/formula_votes.csv"
# A review as the review screen writes it, by a reviewer named like a formula.
sql "$db" "insert into reviews(item, reviewer, action, old_label, new_label,
	reviewed_after) select id, '=HYPERLINK(\"http://x\")', 0, label,
	(select id from classes where name='plain'), 1 from items where ext_id='f1';
	update items set label=(select id from classes where name='plain'),
	reviewed=1, last_review=(select max(id) from reviews) where ext_id='f1'"
"$RELABEL" export "$db" > "$TMP/formula.out" 2>&1
"$RELABEL" export "$db" --format jsonl > "$TMP/formula.jsonl" 2>&1
py_check "export: formula labels and reviewer start with an apostrophe" '
import csv, sys
rows = {r["id"]: r for r in csv.DictReader(open(sys.argv[1], newline=""))}
got = [rows[i]["given_label"] for i in ("f1", "f2", "f3", "f4", "f5")]
want = ["\x27=1+1", "\x27@SUM(A1)", "\x27+cmd|\x27 /C calc\x27!A0", "\x27-2+3", "plain"]
rv = rows["f1"]["reviewer"]
print(got, rv); sys.exit(0 if got == want and rv == "\x27=HYPERLINK(\"http://x\")" else 1)
' "$TMP/formula.out"
py_check "export jsonl keeps formula labels as they are" '
import json, sys
got = [o["given_label"] for o in map(json.loads, open(sys.argv[1]))]
sys.exit(0 if got[:2] == ["=1+1", "@SUM(A1)"] else 1)
' "$TMP/formula.jsonl"
"$RELABEL" audit "$db" --format csv --consensus "$TMP/consensus.csv" \
	> "$TMP/audit.csv" 2>&1
py_check "audit csv and consensus: formula names and labels escaped" '
import csv, sys
names = sorted(r["annotator"] for r in csv.DictReader(open(sys.argv[1], newline="")))
labels = {r["label"] for r in csv.DictReader(open(sys.argv[2], newline=""))}
want = sorted(["\x27=cmd|calc", "\x27@evil", "\x27+w", "\x27-w", "w5"])
print(names, labels)
sys.exit(0 if names == want and labels <= {"plain", "\x27=1+1"} else 1)
' "$TMP/audit.csv" "$TMP/consensus.csv"
check "formula metadata stored as it was written" test "$(sql "$db" \
	"select json_extract(meta, '\$.note') from items where ext_id='f1'")" = \
	'=HYPERLINK("http://x")'

# ---- terminal escapes and bidi overrides in every field ----
$PY -c '
import csv, json, sys
d = sys.argv[1]
E = "\x1b"
bad = [E + "[2J", E + "]52;c;aGVsbG8=\x07", "bell\x07", "cr\rX", "rtl\u202eevil",
       "del\x7f", "c1\u009b31m", "ff\x0cvt\x0b", "bs\x08\x08", E + "P+q\x1b\\"]
items, votes = [], []
for i, b in enumerate(bad):
    items.append({"id": "id" + b + str(i), "text": "text " + b,
                  "label": ("lab" + b) if i % 3 else "plain",
                  "split": "test" if i % 4 == 3 else "train", "note" + E + "[31m": "meta" + b})
    for j in range(3):
        votes.append({"item": "id" + b + str(i), "annotator": "ann" + bad[j],
                      "label": items[-1]["label"] if (i + j) % 4 else "plain"})
with open(d + "/esc.csv", "w", newline="") as f:
    w = csv.DictWriter(f, list(items[0])); w.writeheader(); w.writerows(items)
with open(d + "/esc_votes.csv", "w", newline="") as f:
    w = csv.DictWriter(f, ["item", "annotator", "label"]); w.writeheader(); w.writerows(votes)
json.dump(items, open(d + "/esc.json", "w"))
with open(d + "/esc_dup.csv", "w", newline="") as f:
    f.write("id,text,label\n")
    f.write("%s,one,a\n%s,two,b\n" % (bad[1], bad[1]))
' "$D"
db=$TMP/esc.db
expect "escapes in ids, texts, labels, annotators, metadata import" 0 "" \
	"$NEW" imp "$db" --items "$D/esc.csv" --annotations "$D/esc_votes.csv"
"$RELABEL" train "$db" $TRAIN > /dev/null 2>&1 ||
	not_ok "escape project trains"
for c in info rank audit eval; do
	"$RELABEL" $c "$db" > "$TMP/$c.out" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		not_ok "$c shows no raw control byte" "exit status $rc"
	elif raw "$TMP/$c.out"; then
		not_ok "$c shows no raw control byte" \
			"$(LC_ALL=C grep -anP "$RAW" "$TMP/$c.out" | head -3 |
			od -c | head -5)"
	else
		ok "$c shows no raw control byte"
	fi
done
check "info shows the escapes as text" grep -qF 'lab\e]52;c;aGVsbG8=\x07' "$TMP/info.out"
check "audit shows the OSC 52 annotator as text" \
	grep -qF 'ann\e]52;c;aGVsbG8=\x07' "$TMP/audit.out"
"$RELABEL" export "$db" > "$TMP/esc_export.csv" 2>/dev/null
"$RELABEL" export "$db" --format jsonl > "$TMP/esc_export.jsonl" 2>/dev/null
"$RELABEL" rank "$db" --format csv > "$TMP/esc_rank.csv" 2>/dev/null
"$RELABEL" rank "$db" --format jsonl > "$TMP/esc_rank.jsonl" 2>/dev/null
py_check "csv and jsonl exports and rank keep the data exactly" '
import csv, json, sys
items = json.load(open(sys.argv[1]))
want = sorted((i["id"], i["label"]) for i in items)
def rows(path, jl):
    return list(map(json.loads, open(path, newline=""))) if jl else \
           list(csv.DictReader(open(path, newline="")))
bad = []
for path, jl, lab in ((sys.argv[2], 0, "given_label"), (sys.argv[3], 1, "given_label"),
                      (sys.argv[4], 0, "label"), (sys.argv[5], 1, "label")):
    got = sorted((r["id"], r[lab]) for r in rows(path, jl))
    if got != want: bad.append("%s: %r" % (path, got[:3]))
print("\n".join(bad)); sys.exit(1 if bad else 0)
' "$D/esc.json" "$TMP/esc_export.csv" "$TMP/esc_export.jsonl" \
	"$TMP/esc_rank.csv" "$TMP/esc_rank.jsonl"
py_check "metadata with escapes stored exactly" '
import json, sqlite3, sys
items = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
got = {r[0]: json.loads(r[1]) for r in db.execute("select ext_id, meta from items")}
key = "note\x1b[31m"
bad = [i["id"] for i in items if got.get(i["id"]) != {key: i[key]}]
print(bad); sys.exit(1 if bad else 0)
' "$D/esc.json" "$db"
expect "an error message quoting an escape id stays inert" 1 \
	"duplicate id '\\e]52;c;aGVsbG8=\\x07'" "$NEW" \
	imp "$NEW" --items "$D/esc_dup.csv"
# Sent to a terminal, the machine formats show escapes too.
if command -v script > /dev/null 2>&1; then
	for c in "export" "export --format jsonl" "rank --format csv" \
		"rank --format jsonl" "audit --format csv"; do
		script -qec "stty -onlcr; '$RELABEL' $c '$db'" /dev/null \
			> "$TMP/tty.out" 2>&1
		if ! grep -q 'id' "$TMP/tty.out" && [ "$c" != "audit --format csv" ]
		then
			not_ok "$c to a terminal shows no raw control byte" \
				"no output: $(head -c 300 "$TMP/tty.out")"
		elif raw "$TMP/tty.out"; then
			not_ok "$c to a terminal shows no raw control byte" \
				"$(head -c 300 "$TMP/tty.out" | od -c | head -5)"
		else
			ok "$c to a terminal shows no raw control byte"
		fi
	done
else
	echo "# SKIP exports to a terminal: no script(1) to make one"
fi

# ---- images that lie, found when features are built (train) ----
I=$TMP/img
mkdir -p "$I/images"
head -41 "$S/fashion/items.csv" | cut -d, -f1-4 > "$I/items.csv"
for f in $(tail -n +2 "$I/items.csv" | cut -d, -f2); do
	cp "$S/fashion/$f" "$I/$f"
done
db=$TMP/img.db
imp "$db" --items "$I/items.csv" > /dev/null 2>&1 &&
	"$RELABEL" train "$db" $TRAIN > /dev/null 2>&1 ||
	not_ok "image project imports and trains"
cp "$I/images/f0005.png" "$D/f0005.png"
# swap NAME FRAGMENT SOURCE: f0005.png replaced by SOURCE, train refused.
swap() {
	rm -f "$I/images/f0005.png"
	case $3 in
	fifo) mkfifo "$I/images/f0005.png" ;;
	zero) ln -s /dev/zero "$I/images/f0005.png" ;;
	gone) ;;
	*) cp "$3" "$I/images/f0005.png" ;;
	esac
	expect "$1" 1 "$2" "$db" "$RELABEL" train "$db" $TRAIN
	rm -f "$I/images/f0005.png"
	cp "$D/f0005.png" "$I/images/f0005.png"
}
swap "image claiming 100,000 x 100,000 pixels" \
	"f0005.png: image is 100000 x 100000 pixels" "$H/huge_header.png"
swap "truncated PNG" "f0005.png: not a readable image" "$H/truncated.png"
swap "a file that is not an image" "f0005.png: not a readable image" \
	"$H/not_an_image.png"
swap "image that became a FIFO" \
	"f0005.png: image of item 'f0005' is not a regular file" fifo
swap "image that became a link to /dev/zero" \
	"f0005.png: image of item 'f0005' is not a regular file" zero
swap "image deleted after import" "f0005.png: cannot open" gone
check "the first run is intact after the refused trainings" test \
	"$(sql "$db" "select count(*), (select count(*) from scores where run=1),
	 (select count(*) from models) from runs")" = "1|40|1"
expect "eval --truth from a FIFO" 1 "fifo.csv: not a regular file" "$db" \
	"$RELABEL" eval "$db" --truth "$D/fifo.csv"

# ---- project files ----
mkdir -p "$TMP/dir.db"
expect "project that is a directory (import)" 1 \
	"dir.db: not a regular file but a directory" "$TMP/dir.db" \
	imp "$TMP/dir.db" --items "$D/good.csv"
expect "project that is a directory (info)" 1 \
	"dir.db: not a regular file but a directory" "$TMP/dir.db" \
	"$RELABEL" info "$TMP/dir.db"
expect "project in a folder that does not exist" 1 \
	"nowhere/p.db: cannot create the project file: No such file or directory" \
	"$TMP/nowhere" imp "$TMP/nowhere/p.db" --items "$D/good.csv"

Z=$TMP/zero.db
: > "$Z"
expect "zero-byte project (info)" 1 "zero.db: empty, not a relabel project yet" \
	"$Z" "$RELABEL" info "$Z"
expect "zero-byte project (train) is not turned into one" 1 \
	"zero.db: empty, not a relabel project yet" "$Z" "$RELABEL" train "$Z"
expect "zero-byte project and a failed import: still empty" 1 \
	"bom_middle.csv:4:1" "$Z" imp "$Z" --items "$H/bom_middle.csv"
check "zero-byte project: still zero bytes" test ! -s "$Z"
if imp "$Z" --items "$D/good.csv" > /dev/null 2>&1 &&
   [ "$(sql "$Z" 'select count(*) from items; pragma application_id')" = \
     "$(printf '3\n1380729420')" ]; then
	ok "zero-byte project: import creates the schema in it"
else
	not_ok "zero-byte project: import creates the schema in it"
fi
: > "$TMP/imm.db"
if [ "$(id -u)" -ne 0 ]; then
	chmod 0400 "$TMP/imm.db"
	expect "zero-byte project nobody may write" 1 "imm.db" "$TMP/imm.db" \
		imp "$TMP/imm.db" --items "$D/good.csv"
elif chattr +i "$TMP/imm.db" 2>/dev/null; then
	expect "zero-byte project nobody may write" 1 \
		"imm.db: the project file is read-only" "$TMP/imm.db" \
		imp "$TMP/imm.db" --items "$D/good.csv"
	chattr -i "$TMP/imm.db"
else
	echo "# SKIP zero-byte read-only project: root without chattr +i here"
fi

cp "$BASE" "$TMP/target.db"
ln -s "$TMP/target.db" "$TMP/link.db"
printf 'id,text,label\ny1,new,a\n' > "$D/one.csv"
expect "symlinked project: a failed import leaves the target" 1 \
	"item 'x1' is already in the project" "$TMP/target.db" \
	imp "$TMP/link.db" --items "$D/good.csv"
expect "symlinked project: import goes to the target" 0 "" "$TMP/base.db" \
	imp "$TMP/link.db" --items "$D/one.csv"
check "symlinked project: the link is still a link, the target grew" test \
	-L "$TMP/link.db" -a "$(sql "$TMP/target.db" 'select count(*) from items')" = 4
ln -s "$TMP/missing.db" "$TMP/dangling.db"
expect "dangling symlink as a project" 1 \
	"dangling.db: a symbolic link to a missing file" "$TMP/missing.db" \
	imp "$TMP/dangling.db" --items "$D/good.csv"

# ---- a full disk ----
mkdir -p "$SMALL"
if [ "$(id -u)" -ne 0 ] ||
   ! mount -t tmpfs -o size=256k tmpfs "$SMALL" 2>/dev/null; then
	echo "# SKIP full disk: cannot mount a small tmpfs here (needs root)"
else
	$PY -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,text,label\n")
    for i in range(20000):
        f.write("big%06d,some text for item %d that fills a page,%s\n" % (i, i, "ab"[i % 2]))
' "$D/big.csv"
	expect "full disk: a new project that does not fit" 1 "disk is full" \
		"$SMALL/p.db" imp "$SMALL/p.db" --items "$D/big.csv"
	imp "$SMALL/p.db" --items "$D/good.csv" > /dev/null 2>&1
	expect "full disk: an import into an existing project" 1 "disk is full" \
		"$SMALL/p.db" imp "$SMALL/p.db" --items "$D/big.csv"
	check "full disk: the project passes its integrity check" test \
		"$(sql "$SMALL/p.db" 'pragma integrity_check')" = ok
	rm -f "$SMALL"/p.db*
	umount "$SMALL"
	mount -t tmpfs -o size=1m tmpfs "$SMALL"
	db=$SMALL/t.db
	imp "$db" --items "$I/items.csv" > /dev/null 2>&1 &&
		"$RELABEL" train "$db" $TRAIN > /dev/null 2>&1 ||
		not_ok "full disk: the image project trains before the disk fills"
	# Leave a few pages: too few for a run's scores and model.
	free=$(df -k --output=avail "$SMALL" | tail -1)
	dd if=/dev/zero of="$SMALL/fill" bs=4k count=$((free / 4 - 8)) \
		2> /dev/null
	expect "full disk: train into a nearly full disk" 1 "disk is full" \
		"$db" "$RELABEL" train "$db" $TRAIN
	check "full disk: earlier run intact, integrity ok" test \
		"$(sql "$db" 'select count(*) from runs; pragma integrity_check')" = \
		"$(printf '1\nok')"
	umount "$SMALL"
fi
