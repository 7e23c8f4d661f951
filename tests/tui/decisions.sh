#!/bin/sh
# decisions.sh - relabel three items, confirm one, undo it, redo it, quit:
# the screen says so at each step and the review log holds exactly those
# entries, with the reviewer's name, the queue and its score.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/fashion.db
make_sample_project fashion "$DB" || { not_ok "build the fashion project"; exit 0; }
tui_start d 120 40 "'$DB' --reviewer alice --preview ascii"
if ! tui_wait d "done 0/600"; then
	not_ok "review opens the fashion project"
	exit 0
fi
ok "review opens the fashion project"

# The first four rows of the queue: id and label, before any mark.
rows=$(sed -n '3,6p' "$TMP/d.screen" | awk '{ print $2, $3 }')
set -- $rows
id1=$1 l1=$2 id2=$3 l2=$4 id3=$5 l3=$6 id4=$7 l4=$8
# Relabel each to ankle-boot (key 1), or bag (key 2) if it is one.
pick() { if [ "$1" = ankle-boot ]; then echo "2 bag"; else echo "1 ankle-boot"; fi; }

steps=0
for n in 1 2 3; do
	eval id=\$id$n lab=\$l$n
	set -- $(pick "$lab")
	tui_keys d "$1"
	tui_wait d "$id: $lab -> $2 (saved)" && steps=$((steps + 1))
	eval new$n=$2
done
check "three relabels, each shown as saved" [ "$steps" = 3 ]

tui_keys d a
tui_wait d "$id4: confirmed $l4 (saved)" && tui_wait d "done 4/600" &&
	tui_wait d "changed 3" &&
	ok "confirm shown, with done 4 and changed 3" ||
	not_ok "confirm shown, with done 4 and changed 3"

tui_keys d u
tui_wait d "undid $id4: now $l4 (saved)" && tui_wait d "done 3/600" &&
	ok "undo shown" || not_ok "undo shown"
tui_keys d U
tui_wait d "redid $id4: now $l4 (saved)" && tui_wait d "done 4/600" &&
	ok "redo shown" || not_ok "redo shown"
# The list marks relabelled rows with * and confirmed ones with =.
tui_wait d "      1 * $id1" && tui_wait d "      4 = $id4" &&
	ok "rows marked as decided" || not_ok "rows marked as decided"

tui_keys d q
rc=$(tui_exit_status d)
check "q quits with status 0" [ "$rc" = 0 ]

# action: 0 relabel, 1 confirm, 3 undo, 4 redo.
got=$(sql "$DB" "SELECT r.action, i.ext_id, r.reviewer, r.queue,
	coalesce(co.name, '-'), coalesce(cn.name, '-'), r.reviewed_after,
	r.target IS NOT NULL, r.score IS NOT NULL
	FROM reviews r JOIN items i ON i.id = r.item
	LEFT JOIN classes co ON co.id = r.old_label
	LEFT JOIN classes cn ON cn.id = r.new_label ORDER BY r.id" | tr '|' ' ')
want=$(printf '%s\n' \
	"0 $id1 alice suspicion $l1 $new1 1 0 1" \
	"0 $id2 alice suspicion $l2 $new2 1 0 1" \
	"0 $id3 alice suspicion $l3 $new3 1 0 1" \
	"1 $id4 alice suspicion $l4 $l4 1 0 1" \
	"3 $id4 alice suspicion $l4 $l4 0 1 1" \
	"4 $id4 alice suspicion $l4 $l4 1 1 1")
if [ "$got" = "$want" ]; then
	ok "the review log holds exactly those six entries"
else
	not_ok "the review log holds exactly those six entries" \
		"got:" "$got" "want:" "$want"
fi
targets=$(sql "$DB" "SELECT (SELECT target FROM reviews WHERE action = 3) =
	(SELECT id FROM reviews WHERE action = 1),
	(SELECT target FROM reviews WHERE action = 4) =
	(SELECT id FROM reviews WHERE action = 1)")
check "undo and redo target the confirm" [ "$targets" = "1|1" ]
labels=$(sql "$DB" "SELECT c.name FROM items i JOIN classes c ON c.id = i.label
	WHERE i.ext_id IN ('$id1', '$id2', '$id3') ORDER BY i.ext_id" | tr '\n' ' ')
want_labels=$(printf '%s %s\n%s %s\n%s %s\n' "$id1" "$new1" "$id2" "$new2" \
	"$id3" "$new3" | sort | awk '{ printf "%s ", $2 }')
check "items carry their new labels" [ "$labels" = "$want_labels" ]
