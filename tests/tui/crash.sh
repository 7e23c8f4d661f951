#!/bin/sh
# crash.sh - a decision shown as saved survives the review process being
# killed (SIGKILL) at once: it is in the log and on the item, and the
# project opens again.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/posts.db
make_sample_project posts "$DB" || { not_ok "build the posts project"; exit 0; }
tui_start k 120 40 "'$DB' --reviewer kim"
tui_wait k "done 0/500" || { not_ok "review opens"; exit 0; }
id=$(sed -n '3p' "$TMP/k.screen" | awk '{ print $2 }')
label=$(sed -n '3p' "$TMP/k.screen" | awk '{ print $3 }')
if [ "$label" = ham ]; then key=2 new=spam; else key=1 new=ham; fi
pid=$(tui_pid k)
tui_keys k "$key"
if tui_wait k "$id: $label -> $new (saved)"; then
	kill -9 "$pid"
	ok "relabel $id shown as saved, then killed"
else
	not_ok "relabel $id shown as saved"
fi
rc=$(tui_exit_status k)
check "the process died of SIGKILL (status $rc)" [ "$rc" = 137 ]
got=$(sql "$DB" "SELECT r.action, i.ext_id, r.reviewer, c.name, r.queue
	FROM reviews r JOIN items i ON i.id = r.item
	JOIN classes c ON c.id = r.new_label")
check "the decision is in the log ($got)" \
	[ "$got" = "0|$id|kim|$new|suspicion" ]
now=$(sql "$DB" "SELECT c.name FROM items i JOIN classes c ON c.id = i.label
	WHERE i.ext_id = '$id'")
check "the item carries the new label" [ "$now" = "$new" ]
check "the project opens again" sh -c '"$0" info "$1" > /dev/null' \
	"$RELABEL" "$DB"
