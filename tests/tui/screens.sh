#!/bin/sh
# screens.sh - help lists every bound key; search and filter find what
# they should; every other screen opens and closes; the order changes;
# a resize to 40x12 shows a message, and back restores the screen.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/fashion.db
make_sample_project fashion "$DB" || { not_ok "build the fashion project"; exit 0; }
tui_start s 120 40 "'$DB' --reviewer bob --preview blocks"
tui_wait s "done 0/600" && tui_ready s || { not_ok "review opens"; exit 0; }

# Help: every "KEY = ACTION" line of the default key file has a help line
# whose keys column holds KEY and whose action is ACTION.
tui_keys s '?'
tui_wait s "Keys in force" && tui_screen s > "$TMP/help1"
tui_keys s G
tui_wait s "committed to the project" && tui_screen s > "$TMP/help2"
cat "$TMP/help1" "$TMP/help2" | awk '
	length($0) > 26 {
		split(substr($0, 4, 22), keys, " ")
		split(substr($0, 27), act, " ")
		a = act[1] == "label" ? "label " act[2] : act[1]
		for (k in keys) print keys[k] " = " a
	}' | sort -u > "$TMP/help.pairs"
sed -n 's/^\([^ #][^ ]*\) = \([a-z-]*\)\( [0-9][0-9]*\)\{0,1\}.*/\1 = \2\3/p' \
	"$TOP/assets/keys.conf" | sort -u > "$TMP/conf.pairs"
missing=$(comm -23 "$TMP/conf.pairs" "$TMP/help.pairs")
if [ -z "$missing" ] && [ "$(wc -l < "$TMP/conf.pairs")" -gt 40 ]; then
	ok "help lists every bound key ($(wc -l < "$TMP/conf.pairs") bindings)"
else
	not_ok "help lists every bound key" "missing:" "$missing"
fi
tui_keys s Escape
tui_wait s "done 0/600" && ok "help closes" || not_ok "help closes"

# Search an id, then a word of a text in the posts project below.
tui_keys s / f 0 1 2 3 Enter
tui_wait s "'f0123': 1 matches" && tui_wait s " f0123  image" &&
	ok "search finds an id" || not_ok "search finds an id"

# Filter by a class name: every row shown has that label.
bags=$(sql "$DB" "SELECT count(*) FROM items i JOIN classes c
	ON c.id = i.label WHERE c.name = 'bag'")
tui_keys s f b a g Enter
if tui_wait s "filter: bag" && tui_wait s "done 0/$bags |"; then
	other=$(sed -n '3,39p' "$TMP/s.screen" | awk '$3 != "bag"' | wc -l)
	check "filter shows only bags ($bags)" [ "$other" = 0 ]
else
	not_ok "filter shows only bags"
fi
tui_keys s Escape
tui_wait s "showing every label" && tui_wait s "done 0/600" &&
	ok "esc clears the filter" || not_ok "esc clears the filter"

tui_keys s o
tui_wait s "order: loss, 600 items" && tui_wait s "queue: loss" &&
	ok "o changes the order" || not_ok "o changes the order"

# Each other screen opens and closes.
tui_keys s A
tui_wait s "annotator          votes compared" && tui_wait s " w4 " &&
	ok "annotators opens" || not_ok "annotators opens"
tui_keys s Enter
tui_wait s "cons\\said" && tui_wait s "disagree" &&
	ok "enter opens an annotator's confusion matrix" ||
	not_ok "enter opens an annotator's confusion matrix"
tui_keys s Escape
tui_wait s "annotator          votes" && ok "esc returns to annotators" ||
	not_ok "esc returns to annotators"
tui_keys s Escape
tui_wait s "queue: loss" && ok "annotators closes" || not_ok "annotators closes"

tui_keys s m
tui_wait s "given\\true" && tui_wait s "estimated noise rate" &&
	ok "noise matrix opens" || not_ok "noise matrix opens"
# The cell under the cursor opens as a queue of exactly its items.
cell=$(sed -n 's/.*looks like [^:]*: \([0-9]*\) items.*/\1/p' "$TMP/s.screen")
tui_keys s Enter
tui_wait s "noise: labeled" && tui_wait s "| noise 1/$cell |" &&
	ok "a noise cell opens its $cell items" ||
	not_ok "a noise cell opens its items"
tui_keys s Escape
tui_wait s "back to the loss queue" && ok "esc leaves the sub-queue" ||
	not_ok "esc leaves the sub-queue"

tui_keys s r
tui_wait s "training runs" && tui_wait s "imported" &&
	ok "runs opens" || not_ok "runs opens"
tui_keys s Escape
tui_wait s "queue: loss" && ok "runs closes" || not_ok "runs closes"

# Too small, then back.
$TM resize-window -t s -x 40 -y 12
tui_wait s "terminal too small: 40x12" && ok "40x12 says too small" ||
	not_ok "40x12 says too small"
$TM resize-window -t s -x 120 -y 40
tui_wait s "queue: loss" && tui_wait s "votes" && tui_wait s "keys" &&
	ok "120x40 again shows the queue" || not_ok "120x40 again shows the queue"
tui_keys s q
check "quits cleanly after all that" [ "$(tui_exit_status s)" = 0 ]

# Search in texts.
PDB=$TMP/posts.db
make_sample_project posts "$PDB" || { not_ok "build the posts project"; exit 0; }
tui_start p 120 40 "'$PDB' --reviewer bob"
tui_wait p "done 0/500" && tui_ready p ||
	{ not_ok "review opens the posts project"; exit 0; }
tui_keys p / r y d e r Enter
tui_wait p "'ryder': 1 matches" && tui_wait p "Ryder unsold.now gibbs." &&
	tui_wait p " p0002  text" && ok "search finds a word in a text" ||
	not_ok "search finds a word in a text"
tui_keys p q
check "posts review quits" [ "$(tui_exit_status p)" = 0 ]
