#!/bin/sh
# demo.sh - relabel demo builds a project from a sample set once, trains
# on it, and (without a terminal) describes it; a second demo reuses it.
. "${TOP:-.}/tests/lib.sh"
S=${TOP:-.}/sample_data

db=$TMP/posts.db
"$RELABEL" demo posts --project "$db" --epochs 1 < /dev/null \
	> "$TMP/out" 2> "$TMP/err"
check "demo posts exits 0" test $? = 0
check "it says what it builds, and from where" \
	grep -q "^relabel demo: building $db from sample_data/posts$" "$TMP/err"
check "the project holds the 500 posts and every vote" test \
	"$(sql "$db" 'select count(*) from items'; sql "$db" \
	'select count(*) from annotations')" = "500
$(wc -l < "$S/posts/annotations.csv" | awk '{ print $1 - 1 }')"
check "the classes are in classes.txt's order" test \
	"$(sql "$db" 'select group_concat(name) from
	(select name from classes order by id)')" = "$(cat "$S/posts/classes.txt")"
check "one training run, of the epochs asked for" test \
	"$(sql "$db" "select count(*), json_extract(params, '\$.epochs')
	from runs")" = "1|1"
check "without a terminal it describes the project" \
	grep -q '^items      500 ' "$TMP/out"
check "and says how to open it" grep -qF \
	"(not on a terminal: run 'relabel review $db' to open the review screen)" \
	"$TMP/out"

"$RELABEL" demo posts --project "$db" --epochs 1 < /dev/null \
	> "$TMP/out2" 2> "$TMP/err2"
check "a second demo reuses the project as it is" test $? = 0 -a \
	! -s "$TMP/err2" -a "$(sql "$db" 'select count(*) from runs')" = 1

# A folder of one's own, found by path; the project goes to the cache.
mkdir -p "$TMP/mine"
$PY -c '
import sys
with open(sys.argv[1] + "/items.csv", "w") as f:
    f.write("id,text,label\n")
    for i in range(40):
        f.write("t%d,%s,%s\n" % (i, "win a prize now" if i % 2 else
                "see you at home", "zeta" if i % 2 else "alpha"))
open(sys.argv[1] + "/classes.txt", "w").write("zeta,alpha\n")
' "$TMP/mine"
XDG_CACHE_HOME=$TMP/cache "$RELABEL" demo "$TMP/mine" --epochs 1 \
	< /dev/null > "$TMP/out3" 2>&1
check "a folder by path builds into \$XDG_CACHE_HOME/relabel" test $? = 0 \
	-a -f "$TMP/cache/relabel/relabel-demo-mine.db"
check "with its classes.txt order" test "$(sql \
	"$TMP/cache/relabel/relabel-demo-mine.db" 'select group_concat(name) from
	(select name from classes order by id)')" = "zeta,alpha"

"$RELABEL" demo nosuch --project "$TMP/x.db" < /dev/null > "$TMP/out4" 2>&1
rc=$?
check "an unknown set exits 1" test $rc = 1
check "naming where it looked" grep -q \
	"no sample set 'nosuch' in \$RELABEL_SAMPLE_DATA, ./sample_data or " \
	"$TMP/out4"
check "and builds nothing" test ! -e "$TMP/x.db"
printf 'a,b' > "$TMP/mine/classes.txt"
"$RELABEL" demo "$TMP/mine" --project "$TMP/y.db" < /dev/null \
	> "$TMP/out5" 2>&1
check "a classes.txt without a whole line is refused by name" \
	grep -q "mine/classes.txt:1: expected one line of class names" \
	"$TMP/out5"
"$RELABEL" demo posts fashion > "$TMP/out6" 2>&1
check "two sets are a usage error (exit 2)" test $? = 2
