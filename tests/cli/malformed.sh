#!/bin/sh
# malformed.sh - bad input is refused with a message naming the file, line
# and column, the right exit status, and the project as it was (or, for a
# new project, no file at all).
. "${TOP:-.}/tests/lib.sh"
S=${TOP:-.}/sample_data
D=$TMP/d
mkdir -p "$D"
# An immutable file left by a failed case would stop the clean-up.
trap 'chattr -i "$TMP/ro.db" 2>/dev/null; rm -rf "$TMP"' EXIT

# state DB: what must not change: the SQL dump and the version pragmas of
# a project, the bytes of any other file, or "absent".
state() {
	if [ ! -e "$1" ]; then
		for x in -wal -shm -journal; do
			[ -e "$1$x" ] && { echo "absent but $1$x exists"; return; }
		done
		echo absent
	elif sqlite3 -batch "$1" 'PRAGMA user_version; PRAGMA application_id' \
		> "$TMP/pragmas" 2>/dev/null; then
		{ cat "$TMP/pragmas"; sqlite3 -batch "$1" .dump; } | sha256sum
	else
		sha256sum < "$1"
	fi
}

# expect NAME STATUS FRAGMENT DB CMD...: ok when CMD exits STATUS, prints
# FRAGMENT on stderr (unless empty), and leaves DB as it was.
expect() {
	name=$1 want=$2 frag=$3 db=$4
	shift 4
	before=$(state "$db")
	"$@" > "$TMP/stdout" 2> "$TMP/stderr"
	rc=$?
	after=$(state "$db")
	set --
	[ "$rc" -eq "$want" ] || set -- "$@" "exit status $rc, expected $want"
	[ -z "$frag" ] || grep -qF -- "$frag" "$TMP/stderr" ||
		set -- "$@" "stderr lacks '$frag': $(head -c 400 "$TMP/stderr")"
	[ "$before" = "$after" ] ||
		set -- "$@" "project changed ($before -> $after)"
	if [ $# -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
}

# A small existing project that the bad imports must leave alone.
printf 'id,text,label\nx1,one,a\nx2,two,b\nx3,three,a\n' > "$D/good.csv"
printf 'item,annotator,label\nx1,w1,a\nx2,w1,b\n' > "$D/good_votes.csv"
BASE=$TMP/base.db
"$RELABEL" import "$BASE" --items "$D/good.csv" \
	--annotations "$D/good_votes.csv" > /dev/null 2>&1 ||
	not_ok "base project imports" "$("$RELABEL" import "$TMP/b2.db" --items "$D/good.csv" 2>&1)"
NEW=$TMP/new.db
imp() { "$RELABEL" import "$@"; }

# ---- CSV and JSONL items ----
# The quote opens at column 14 of line 3.
printf 'id,label,text\nx1,a,fine\nx000000002,a,"never closed\nx3,b,more\n' \
	> "$D/items.csv"
expect "unterminated quote names line and column" 1 \
	"items.csv:3:14: unterminated quoted field" "$NEW" \
	imp "$NEW" --items "$D/items.csv"
expect "unterminated quote leaves an existing project" 1 \
	"items.csv:3:14: unterminated quoted field" "$BASE" \
	imp "$BASE" --items "$D/items.csv"

printf 'id,text,label\ny1,one,a\ny2,two,b\ny3,three,a,extra\n' > "$D/cols.csv"
expect "wrong column count" 1 \
	"cols.csv:4: expected 3 fields (as in the header), found 4" "$BASE" \
	imp "$BASE" --items "$D/cols.csv"

printf 'name,text,label\ny1,one,a\n' > "$D/noid.csv"
expect "missing id column" 1 "noid.csv:2: item without an id" "$NEW" \
	imp "$NEW" --items "$D/noid.csv"

printf 'id,text,label\ny1,one,a\n,two,b\n' > "$D/emptyid.csv"
expect "empty id" 1 "emptyid.csv:3: item without an id" "$BASE" \
	imp "$BASE" --items "$D/emptyid.csv"

printf 'id,text,label\ny1,one,a\ny2,two,b\ny1,again,a\n' > "$D/dup.csv"
expect "duplicate id in the file" 1 \
	"dup.csv:4:1: duplicate id 'y1' (first on line 2)" "$NEW" \
	imp "$NEW" --items "$D/dup.csv"

printf 'id,text,label\ny9,new,a\nx2,clash,b\n' > "$D/dup2.csv"
expect "duplicate id against the project" 1 \
	"dup2.csv:3: item 'x2' is already in the project" "$BASE" \
	imp "$BASE" --items "$D/dup2.csv"

printf 'id,text,label\ny1,one,a\ny2,two,b\ny3,three,c\n' > "$D/label.csv"
expect "unknown label with --classes" 1 \
	"'c' (first at $D/label.csv:4:10)" "$NEW" \
	imp "$NEW" --items "$D/label.csv" --classes a,b
expect "unknown label against the project's classes" 1 \
	"'c' (first at $D/label.csv:4:10)" "$BASE" \
	imp "$BASE" --items "$D/label.csv"

printf 'id,text,label\ny1,one,a\ny2,caf\351,b\n' > "$D/utf8.csv"
expect "bad UTF-8" 1 "utf8.csv:3:7: invalid UTF-8" "$BASE" \
	imp "$BASE" --items "$D/utf8.csv"

printf 'id,text,label\ny1,o\000ne,a\n' > "$D/nul.csv"
expect "NUL byte" 1 "nul.csv:2:5: NUL byte" "$NEW" \
	imp "$NEW" --items "$D/nul.csv"

: > "$D/empty.csv"
expect "empty file" 1 "empty.csv: empty file" "$NEW" \
	imp "$NEW" --items "$D/empty.csv"

printf 'id,text,label\n' > "$D/header.csv"
expect "header only" 1 "header.csv: no items" "$BASE" \
	imp "$BASE" --items "$D/header.csv"

printf 'id,text,label,split\ny1,one,a,train\ny2,two,b,valid\n' > "$D/split.csv"
expect "unknown split" 1 "split.csv:3:10: unknown split 'valid'" "$NEW" \
	imp "$NEW" --items "$D/split.csv"

printf '{"id": "j1", "text": "one", "label": "a"}\n{"id": "j2", "text": , "label": "b"}\n' \
	> "$D/items.jsonl"
expect "JSONL syntax error" 1 "items.jsonl:2:22: JSON syntax error" "$BASE" \
	imp "$BASE" --items "$D/items.jsonl"

printf '{"id": "j1", "text": "one", "label": "a", "label": "b"}\n' \
	> "$D/dupkey.jsonl"
expect "JSONL duplicate key" 1 "dupkey.jsonl:1:43: duplicate key 'label'" "$NEW" \
	imp "$NEW" --items "$D/dupkey.jsonl"

# ---- images under the data root ----
R=$D/root
mkdir -p "$R/images" "$D/outside"
cp "$S/fashion/images/f0001.png" "$R/images/a.png"
cp "$S/fashion/images/f0002.png" "$D/outside/b.png"
ln -s "$D/outside/b.png" "$R/images/link.png"
printf 'id,image,label\ni1,images/a.png,a\ni2,images/nope.png,b\n' > "$R/missing.csv"
expect "missing image file" 1 "missing.csv:3:4: image 'images/nope.png' not found" \
	"$NEW" imp "$NEW" --items "$R/missing.csv"
printf 'id,image,label\ni1,images/a.png,a\ni2,../outside/b.png,b\n' > "$R/dotdot.csv"
expect "image outside the root through .." 1 \
	"dotdot.csv:3:4: image '../outside/b.png' is outside the data root" \
	"$BASE" imp "$BASE" --items "$R/dotdot.csv"
printf 'id,image,label\ni1,images/a.png,a\ni2,images/link.png,b\n' > "$R/link.csv"
expect "image outside the root through a symlink" 1 \
	"link.csv:3:4: image 'images/link.png' is outside the data root" \
	"$NEW" imp "$NEW" --items "$R/link.csv"

# ---- .npy probabilities and features (3 items, 2 classes) ----
$PY -c '
import numpy as np, sys
d = sys.argv[1]
p = np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]])
np.save(d + "/shape.npy", np.full((3, 3), 1 / 3, np.float32))
np.save(d + "/int.npy", np.array([[1, 0], [0, 1], [1, 0]], np.int64))
np.save(d + "/big.npy", p.astype(">f4"))
np.save(d + "/fortran.npy", np.asfortranarray(p.astype(np.float32)))
q = p.copy(); q[1, 0] = np.nan
np.save(d + "/nan.npy", q.astype(np.float32))
q = p.copy(); q[2] = [0.5, 0.6]
np.save(d + "/sum.npy", q.astype(np.float32))
q = p.copy(); q[0] = [1.2, -0.2]
np.save(d + "/neg.npy", q.astype(np.float32))
np.save(d + "/good.npy", p.astype(np.float32))
np.save(d + "/feat.npy", np.ones((2, 4), np.float32))
' "$D"
expect ".npy of the wrong shape" 1 \
	"shape.npy: shape is [3, 3]; expected [3, 2]" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --probs "$D/shape.npy"
expect ".npy of int64" 1 "int.npy: data type '<i8' is not supported" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --probs "$D/int.npy"
expect ".npy big-endian" 1 "big.npy: data type '>f4' is not supported" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --probs "$D/big.npy"
expect ".npy in Fortran order" 1 "fortran.npy: array is in Fortran order" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --probs "$D/fortran.npy"
expect "NaN in probs" 1 "nan.npy: x[1, 0] is NaN" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --probs "$D/nan.npy"
expect "probs row not summing to 1" 1 "sum.npy: row 2 (item 'x3') sums to 1.1" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --probs "$D/sum.npy"
expect "negative probability" 1 "neg.npy: row 0 (item 'x1'), column 1 is negative" \
	"$NEW" imp "$NEW" --items "$D/good.csv" --probs "$D/neg.npy"
printf 'id,text,label\nz1,one,a\nz2,two,b\nz3,three,a\n' > "$D/more.csv"
expect "probs for a project that has items" 1 \
	"good.npy: --probs must come with the import that creates" "$BASE" \
	imp "$BASE" --items "$D/more.csv" --probs "$D/good.npy"
expect "features with the wrong row count" 1 \
	"feat.npy: 2 rows, but $D/good.csv has 3 items" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --features "$D/feat.npy"
printf 'not numpy' > "$D/text.npy"
expect "a .npy that is not one" 1 "text.npy: not a .npy file" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --probs "$D/text.npy"

# ---- votes ----
printf 'item,annotator,label\nx1,w2,a\nzz,w2,b\n' > "$D/votes.csv"
expect "vote for an unknown item" 1 "votes.csv:3:1: vote for unknown item 'zz'" \
	"$BASE" imp "$BASE" --items "$D/more.csv" --annotations "$D/votes.csv"
printf 'item,who,label\nx1,w2,a\n' > "$D/votecols.csv"
expect "votes without an annotator column" 1 \
	"votecols.csv:2: a vote needs 'item'" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --annotations "$D/votecols.csv"
printf 'item,annotator,label\nx1,w2,c\n' > "$D/votelabel.csv"
expect "vote with an unknown label" 1 "'c' (first at $D/votelabel.csv:2:" \
	"$BASE" imp "$BASE" --items "$D/more.csv" --annotations "$D/votelabel.csv"

# ---- project files ----
printf 'this is not a database, only some text that is long enough\n' \
	> "$TMP/text.db"
expect "project that is not SQLite (info)" 1 \
	"text.db: not a relabel project" "$TMP/text.db" "$RELABEL" info "$TMP/text.db"
expect "project that is not SQLite (import)" 1 \
	"text.db: not a relabel project" "$TMP/text.db" \
	imp "$TMP/text.db" --items "$D/more.csv"

cp "$BASE" "$TMP/newer.db"
sqlite3 "$TMP/newer.db" 'PRAGMA user_version=99'
expect "project from a newer relabel (info)" 1 \
	"newer.db: written by a newer relabel (project version 99" \
	"$TMP/newer.db" "$RELABEL" info "$TMP/newer.db"
expect "project from a newer relabel (import)" 1 \
	"newer.db: written by a newer relabel" "$TMP/newer.db" \
	imp "$TMP/newer.db" --items "$D/more.csv"

sqlite3 "$TMP/foreign.db" 'CREATE TABLE people(name TEXT); INSERT INTO people VALUES("ann")'
expect "SQLite file that is not a project (info)" 1 \
	"foreign.db: an SQLite file but not a relabel project" \
	"$TMP/foreign.db" "$RELABEL" info "$TMP/foreign.db"
expect "SQLite file that is not a project (import)" 1 \
	"foreign.db: an SQLite file but not a relabel project" \
	"$TMP/foreign.db" imp "$TMP/foreign.db" --items "$D/more.csv"

expect "missing project (info) is not created" 1 \
	"gone.db: no such project file" "$TMP/gone.db" "$RELABEL" info "$TMP/gone.db"
expect "missing project (train) is not created" 1 \
	"gone.db: no such project file" "$TMP/gone.db" \
	"$RELABEL" train "$TMP/gone.db" --quiet
expect "missing items file leaves no project" 1 "nothere.csv" "$NEW" \
	imp "$NEW" --items "$D/nothere.csv"

# A project nobody may write.  Root writes through file modes, so the
# file is made immutable where the file system allows it; otherwise
# (root without chattr) only the read-only open is checked.
cp "$BASE" "$TMP/ro.db"
if [ "$(id -u)" -ne 0 ]; then
	chmod 0400 "$TMP/ro.db"
	expect "read-only project refuses an import" 1 "ro.db" "$TMP/ro.db" \
		imp "$TMP/ro.db" --items "$D/more.csv"
	chmod 0600 "$TMP/ro.db"
elif chattr +i "$TMP/ro.db" 2>/dev/null; then
	expect "read-only project refuses an import" 1 "project file is read-only" \
		"$TMP/ro.db" imp "$TMP/ro.db" --items "$D/more.csv"
	expect "read-only project still opens for info" 0 "" "$TMP/ro.db" \
		"$RELABEL" info "$TMP/ro.db"
	chattr -i "$TMP/ro.db"
else
	ok "read-only project # SKIP root without chattr +i on this file system"
fi
# Reading commands never write: the file's bytes stay the same.
cp "$BASE" "$TMP/rd.db"
before=$(sha256sum < "$TMP/rd.db")
fails=
for c in info export rank audit; do
	"$RELABEL" $c "$TMP/rd.db" > /dev/null 2>&1 || fails="$fails $c"
done
check "info, export, rank and audit leave the file's bytes alone" \
	test -z "$fails" -a "$before" = "$(sha256sum < "$TMP/rd.db")"

# ---- command lines ----
expect "unknown option" 2 "unknown option" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --bogus
expect "missing --items" 2 "--items FILE is required" "$NEW" imp "$NEW"
expect "import without a project" 2 "give exactly one project file" "$NEW" \
	imp --items "$D/good.csv"
expect "unknown items format" 2 "unknown format 'xml'" "$NEW" \
	imp "$NEW" --items "$D/good.csv" --format xml
expect "unknown command" 2 "unknown command 'frobnicate'" "$NEW" \
	"$RELABEL" frobnicate "$NEW"
expect "train --epochs 0" 2 "--epochs: expected a whole number from 1" \
	"$BASE" "$RELABEL" train "$BASE" --epochs 0
expect "train --noise-rate 2" 2 "--noise-rate" "$BASE" \
	"$RELABEL" train "$BASE" --noise-rate 2
expect "rank --by nonsense" 2 "nonsense" "$BASE" \
	"$RELABEL" rank "$BASE" --by nonsense
expect "rank --top 0" 2 "--top" "$BASE" "$RELABEL" rank "$BASE" --top 0
expect "export --format xml" 2 "unknown format 'xml'" "$BASE" \
	"$RELABEL" export "$BASE" --format xml
expect "info with two projects" 2 "give exactly one project file" "$BASE" \
	"$RELABEL" info "$BASE" "$BASE"
expect "eval without a run" 1 "no run to evaluate" "$BASE" \
	"$RELABEL" eval "$BASE"
expect "audit --format xml" 2 "unknown option or format" "$BASE" \
	"$RELABEL" audit "$BASE" --format xml
