#!/bin/sh
# loading.sh - decisions made on the first rows, before the whole project
# is read, stay where the reviewer saw them once the full queue comes in:
# nothing moves under the cursor and no decided row drops out.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

# A project large enough that reading it takes a while after the first
# rows are painted (from the ranking its import stored).
N=300000
$PY - "$TMP" "$N" <<'PY'
import sys
import numpy as np
d, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(3)
y = rng.integers(0, 3, n)
with open(d + "/items.csv", "w") as f:
    f.write("id,text,label\n")
    f.writelines("t%06d,post %d,%s\n" % (i, i, "abc"[y[i]]) for i in range(n))
np.save(d + "/p.npy", rng.dirichlet([1.0, 1.0, 1.0], n).astype(np.float32))
PY
DB=$TMP/big.db
"$RELABEL" import "$DB" --items "$TMP/items.csv" --probs "$TMP/p.npy" \
	> /dev/null || { not_ok "import the large project"; exit 0; }

tui_start l 120 30 "'$DB' --reviewer lee --preview none"
tui_wait l "lee | suspicion 1/" 60 || { not_ok "review opens"; exit 0; }
# Each row is relabelled to a class it does not have (key 1 is a, 2 b).
set -- $(sed -n '3p;4p' "$TMP/l.screen" | awk '{ print $2, $3 }')
id1=$1 id2=$3
k1=1 k2=1
[ "$2" = a ] && k1=2
[ "$4" = a ] && k2=2
tui_keys l $k1
tui_keys l $k2
tui_wait l "$id2: " && tui_wait l "(saved)" 60 &&
	ok "two decisions on the first rows are saved" ||
	not_ok "two decisions on the first rows are saved"
grep -q "reading the project" "$TMP/l.screen" &&
	echo "# decided while the project was still being read"

tui_wait l "done 2/$N" 120 &&
	ok "the full queue keeps every row, the two decided among them" ||
	not_ok "the full queue keeps every row, the two decided among them"
tui_wait l "      1 * $id1" && tui_wait l "      2 * $id2" &&
	ok "the decided rows stay where they were, marked" ||
	not_ok "the decided rows stay where they were, marked"
tui_wait l "lee | suspicion 3/$N" &&
	ok "the cursor stays on the row after them" ||
	not_ok "the cursor stays on the row after them"
tui_keys l q
check "q quits with status 0" test "$(tui_exit_status l)" = 0
check "the log holds the two decisions" test "$(sql "$DB" \
	"select group_concat(ext_id) from (select i.ext_id from reviews r
	join items i on i.id = r.item order by r.id)")" = "$id1,$id2"
