#!/bin/sh
# multi.sh - two reviewers on one project at once: the item on one's
# screen is leased and never offered to the other; each sees the other's
# decisions on moving; two decisions on one item by different reviewers
# are both in the log, the later holds, and the item is marked disputed
# in both screens and in relabel audit.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/fashion.db
make_sample_project fashion "$DB" || { not_ok "build the fashion project"; exit 0; }
tui_start a 120 40 "'$DB' --reviewer alice --preview ascii"
tui_wait a "done 0/600" || { not_ok "alice's review opens"; exit 0; }
set -- $(sed -n '3p' "$TMP/a.screen" | awk '{ print $2, $3 }')
id1=$1 l1=$2
tui_start b 120 40 "'$DB' --reviewer bob --preview ascii"
tui_wait b "done 0/600" || { not_ok "bob's review opens"; exit 0; }

# Bob's queue has alice's item first, marked @, and starts him on row 2.
tui_wait b "      1 @ $id1" && tui_wait b "bob | suspicion 2/600" &&
	ok "alice's item is leased: bob starts on the next one" ||
	not_ok "alice's item is leased: bob starts on the next one"
id2=$(sed -n '4p' "$TMP/b.screen" | awk '{ print $2 }')
leases=$(sql "$DB" "SELECT i.ext_id || ':' || l.reviewer FROM leases l
	JOIN items i ON i.id = l.item ORDER BY l.reviewer" | tr '\n' ' ')
check "one lease each, on different items ($leases)" \
	[ "$leases" = "$id1:alice $id2:bob " ]
tui_keys b k
tui_wait b "the items above are on other reviewers' screens" &&
	tui_wait b "bob | suspicion 2/600" &&
	ok "bob cannot move onto alice's item" ||
	not_ok "bob cannot move onto alice's item"
tui_keys b g
tui_wait b "bob | suspicion 2/600" && ok "nor jump to it" ||
	not_ok "nor jump to it"

# Alice relabels her item; the next one is bob's, so she gets row 3.
if [ "$l1" = ankle-boot ]; then ka=2 la=bag; kb=3 lb=coat
else ka=1 la=ankle-boot; kb=2 lb=bag; fi
tui_keys a "$ka"
tui_wait a "$id1: $l1 -> $la (saved)" && tui_wait a "alice | suspicion 3/600" &&
	ok "alice relabels and skips the item bob holds" ||
	not_ok "alice relabels and skips the item bob holds"

# Bob sees it on his next move, can now open it, and decides otherwise.
tui_keys b j
tui_wait b "      1 * $id1" && ok "bob sees alice's decision when he moves" ||
	not_ok "bob sees alice's decision when he moves"
tui_keys b g
tui_wait b "bob | suspicion 1/600" && tui_keys b "$kb"
tui_wait b "$id1: $la -> $lb (saved)" && tui_wait b "      1 ! $id1" &&
	tui_keys b g &&
	tui_wait b "dispute alice $la, bob $lb; the later, $lb, holds" &&
	ok "bob's decision holds; his screen marks the dispute" ||
	not_ok "bob's decision holds; his screen marks the dispute"

got=$(sql "$DB" "SELECT r.reviewer || ':' || c.name FROM reviews r
	JOIN items i ON i.id = r.item JOIN classes c ON c.id = r.new_label
	WHERE i.ext_id = '$id1' ORDER BY r.id" | tr '\n' ' ')
check "both decisions are in the log ($got)" [ "$got" = "alice:$la bob:$lb " ]
now=$(sql "$DB" "SELECT c.name FROM items i JOIN classes c ON c.id = i.label
	WHERE i.ext_id = '$id1'")
check "the later one holds ($now)" [ "$now" = "$lb" ]
"$RELABEL" audit "$DB" > "$TMP/audit.out" 2>&1
line=$(grep -F "$id1	" "$TMP/audit.out")
check "audit lists it as disputed ($line)" \
	[ "$line" = "  $id1	alice: $la, bob: $lb	$lb" ]

tui_keys a j
tui_wait a "      1 ! $id1" && ok "alice's screen marks it disputed" ||
	not_ok "alice's screen marks it disputed"
# A run stored by another process is picked up on the next move.
"$RELABEL" train "$DB" --epochs 3 --folds 2 --hidden 32 --quiet > /dev/null
tui_keys a j
tui_wait a "run 2, stored by another session, is in" &&
	ok "alice's screen picks up a run trained elsewhere when she moves" ||
	not_ok "alice's screen picks up a run trained elsewhere when she moves"
tui_keys a q
tui_keys b q
check "both quit with status 0" \
	[ "$(tui_exit_status a)$(tui_exit_status b)" = 00 ]
check "their leases are released" \
	[ "$(sql "$DB" "SELECT count(*) FROM leases")" = 0 ]
