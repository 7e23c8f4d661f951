#!/bin/sh
# kill.sh - crash safety: relabel import and relabel train killed with
# SIGKILL at random moments.  Afterwards an existing project is exactly as
# it was (or holds the whole new data, when the kill came after the
# commit), passes SQLite's integrity check and shows no half-stored run; a
# new project is absent or all-or-nothing.  A kill that came after the
# command had finished is counted apart.  The moments are random (seed
# printed; set KILL_SEED to repeat): this is a crash test, not a timing
# assertion.
. "${TOP:-.}/tests/lib.sh"
S=${TOP:-.}/sample_data
F=$S/fashion
D=$TMP/d
mkdir -p "$D"
SEED=${KILL_SEED:-$$}
TRIALS=${KILL_TRIALS:-20}
TRAIN_TRIALS=${KILL_TRAIN_TRIALS:-12}
TRAIN="--epochs 10 --folds 4 --hidden 128 --threads 1 --quiet"
echo "# seed $SEED"

# now: seconds since the epoch, to the millisecond.
now() { date +%s.%N | cut -c1-14; }

# moment K SECONDS: a random fraction (0 to 1.2) of SECONDS for trial K.
moment() {
	awk -v s="$SEED" -v k="$1" -v t="$2" \
		'BEGIN { srand(s * 1000 + k); printf "%.3f", rand() * 1.2 * t }'
}

# timed CMD...: runs CMD and prints how long it took.
timed() {
	t0=$(now)
	"$@" > /dev/null 2>&1
	awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}

# killed AT CMD...: runs CMD in the background, sends it SIGKILL after AT
# seconds; prints "killed" or "finished" (it was done before the kill).
killed() {
	at=$1; shift
	"$@" > /dev/null 2>&1 &
	pid=$!
	sleep "$at"
	kill -9 "$pid" 2> /dev/null
	{ wait "$pid"; } 2> /dev/null
	if [ $? -eq 137 ]; then echo killed; else echo finished; fi
}

# dump DB: hash of the project's content.
dump() {
	{ sqlite3 -batch "$1" 'PRAGMA user_version; PRAGMA application_id'
	  sqlite3 -batch "$1" .dump; } 2>&1 | sha256sum
}

integrity() { sqlite3 -batch "$1" 'PRAGMA integrity_check' 2>&1; }

# tally NAME: counts one outcome (kept in files: sh has no arrays).
tally() { echo "$1" >> "$TMP/tally.$2"; }
report() {
	echo "# $1: $(wc -l < "$TMP/tally.$2" 2>/dev/null || echo 0) trials:" \
		"$(sort "$TMP/tally.$2" 2>/dev/null | uniq -c |
		   awk '{ printf "%s%s %s", sep, $1, $2; sep = ", " }')"
}

# ---- import: 200,000 items ----
$PY -c '
import sys
with open(sys.argv[1], "w") as f:
    f.write("id,text,label,split\n")
    for i in range(200000):
        split = ("train", "test")[i % 10 == 0]
        f.write("k%06d,text of item %d,%s,%s\n" % (i, i, "abc"[i % 3], split))
' "$D/big.csv"
N=200000
printf 'id,text,label\nx1,one,a\nx2,two,b\nx3,three,c\n' > "$D/small.csv"
printf 'id,text,label\ny1,one,a\ny2,two,b\n' > "$D/after.csv"
EX=$TMP/existing.db
"$RELABEL" import "$EX" --items "$D/small.csv" > /dev/null 2>&1 ||
	not_ok "the existing project imports"
H0=$(dump "$EX")
T_NEW=$(timed "$RELABEL" import "$TMP/time.db" --items "$D/big.csv")
cp "$EX" "$TMP/time2.db"
T_EX=$(timed "$RELABEL" import "$TMP/time2.db" --items "$D/big.csv")
echo "# a whole import takes ${T_NEW}s into a new project, ${T_EX}s into an existing one"
check "the timing runs imported every item" test \
	"$(sql "$TMP/time.db" 'select count(*) from items')|$(sql "$TMP/time2.db" \
	'select count(*) from items')" = "$N|$((N + 3))"

# new_outcome DB: absent, empty (a file with no project yet), none (a
# project with no items) or all; anything else is printed as it is.
new_outcome() {
	if [ ! -e "$1" ]; then
		if [ -e "$1-wal" ] || [ -e "$1-shm" ]; then
			echo "absent-but-journal-left"
		else
			echo absent
		fi
		return
	fi
	if [ "$(integrity "$1")" != ok ]; then
		echo "corrupt: $(integrity "$1" | head -2)"
		return
	fi
	n=$(sqlite3 -batch "$1" "select count(*) from sqlite_master
		where name='items'" 2>&1)
	if [ "$n" = 0 ]; then
		echo empty
		return
	fi
	case $(sqlite3 -batch "$1" 'select count(*) from items' 2>&1) in
	0) echo none ;;
	$N) echo all ;;
	*) echo "partial: $(sqlite3 -batch "$1" 'select count(*) from items') items" ;;
	esac
}

k=0
while [ $k -lt "$TRIALS" ]; do
	k=$((k + 1))
	P=$TMP/new$k.db
	at=$(moment $k "$T_NEW")
	how=$(killed "$at" "$RELABEL" import "$P" --items "$D/big.csv")
	out=$(new_outcome "$P")
	tally "$how:$out" new
	name="import into a new project killed at ${at}s ($how): $out"
	case $out in
	absent|empty|none|all)
		# What is left must take the next import, which also clears
		# the private file a killed import was filling.
		if ! "$RELABEL" import "$P" --items "$D/after.csv" > "$TMP/again" 2>&1
		then
			not_ok "$name" "the next import fails: $(cat "$TMP/again")"
		elif ls "$P".importing-* > /dev/null 2>&1; then
			not_ok "$name" "left behind: $(ls "$P".importing-*)"
		else
			ok "$name"
		fi ;;
	*) not_ok "$name" ;;
	esac
	rm -f "$P" "$P-wal" "$P-shm"
done
report "import into a new project" new

k=0
while [ $k -lt "$TRIALS" ]; do
	k=$((k + 1))
	P=$TMP/ex$k.db
	cp "$EX" "$P"
	at=$(moment $((k + 1000)) "$T_EX")
	how=$(killed "$at" "$RELABEL" import "$P" --items "$D/big.csv")
	ic=$(integrity "$P")
	n=$(sqlite3 -batch "$P" 'select count(*) from items' 2>&1)
	if [ "$n" = 3 ] && [ "$(dump "$P")" = "$H0" ]; then
		out=unchanged
	elif [ "$n" = $((N + 3)) ]; then
		out=all
	else
		out="changed ($n items)"
	fi
	tally "$how:$out" ex
	name="import into an existing project killed at ${at}s ($how): $out"
	if [ "$ic" = ok ] && { [ $out = unchanged ] || [ $out = all ]; }; then
		ok "$name"
	else
		not_ok "$name" "integrity: $ic"
	fi
	rm -f "$P" "$P-wal" "$P-shm"
done
report "import into an existing project" ex

# ---- train on the fashion sample ----
FP=$TMP/fashion.db
"$RELABEL" import "$FP" --items "$F/items.csv" \
	--annotations "$F/annotations.csv" > /dev/null 2>&1 &&
	"$RELABEL" train "$FP" $TRAIN > /dev/null 2>&1 ||
	not_ok "the fashion project imports and trains"
NI=$(sql "$FP" 'select count(*) from items')
H1=$(dump "$FP")
# run1 DB: what the first run stored, in one hash.
run1() {
	sqlite3 -batch "$1" "select * from runs where id=1;
		select item, hex(probs), oos, suspicion, issue, suggested
		from scores where run=1 order by item;
		select hex(blob) from models where run=1" 2>&1 | sha256sum
}
R1=$(run1 "$FP")
cp "$FP" "$TMP/time3.db"
T_TRAIN=$(timed "$RELABEL" train "$TMP/time3.db" $TRAIN)
echo "# a whole training run takes ${T_TRAIN}s"

# half_runs DB: runs without a score for every item or without a model.
half_runs() {
	sqlite3 -batch "$1" "select count(*) from runs r where
		(select count(*) from scores s where s.run=r.id) != $NI or
		(select count(*) from models m where m.run=r.id) != 1" 2>&1
}

k=0
while [ $k -lt "$TRAIN_TRIALS" ]; do
	k=$((k + 1))
	P=$TMP/train$k.db
	cp "$FP" "$P"
	at=$(moment $((k + 2000)) "$T_TRAIN")
	how=$(killed "$at" "$RELABEL" train "$P" $TRAIN)
	ic=$(integrity "$P")
	runs=$(sqlite3 -batch "$P" 'select count(*) from runs' 2>&1)
	half=$(half_runs "$P")
	if [ "$runs" = 1 ] && [ "$(dump "$P")" = "$H1" ]; then
		out=unchanged
	elif [ "$runs" = 2 ]; then
		out=new-run
	else
		out="changed ($runs runs)"
	fi
	tally "$how:$out" train
	name="train killed at ${at}s ($how): $out"
	set --
	[ "$ic" = ok ] || set -- "$@" "integrity: $ic"
	[ "$half" = 0 ] || set -- "$@" "$half runs without every score and a model"
	[ "$(run1 "$P")" = "$R1" ] || set -- "$@" "the first run changed"
	[ "$out" = unchanged ] || [ "$out" = new-run ] || set -- "$@" "$out"
	if [ $# -eq 0 ]; then ok "$name"; else not_ok "$name" "$@"; fi
	rm -f "$P" "$P-wal" "$P-shm"
done
report "train" train
