#!/bin/sh
# retrain.sh - R retrains in the background: the options come first, y
# starts it, the reviewer relabels two items while it trains, the run is
# stored and the queue re-ranked with the item on screen kept, and the
# summary counts the two decisions as too late for it (they are kept and
# the next run trains on them).  The uncertainty queue shown afterwards
# is the order `relabel rank --by uncertainty` prints.  A cancelled
# retrain stores nothing.  --retrain-every retrains by itself.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/fashion.db
make_sample_project fashion "$DB" || { not_ok "build the fashion project"; exit 0; }
# Long enough (several seconds) to decide items while it trains.
SLOW="epochs=300,folds=2,hidden=256,threads=1"
tui_start r 120 40 "'$DB' --reviewer rita --preview ascii --retrain-opts $SLOW"
tui_wait r "done 0/600" && tui_ready r || { not_ok "review opens"; exit 0; }
rows() { sed -n "$1p" "$TMP/r.screen" | awk '{ print $2 }'; }
set -- $(sed -n '3p' "$TMP/r.screen" | awk '{ print $2, $3 }')
id1=$1 l1=$2
set -- $(sed -n '4p' "$TMP/r.screen" | awk '{ print $2, $3 }')
id2=$1 l2=$2
id3=$(rows 5)
before=$(rows '6,20')
pick() { if [ "$1" = ankle-boot ]; then echo "2 bag"; else echo "1 ankle-boot"; fi; }

tui_keys r R
tui_wait r "retrain: options" && tui_wait r "epochs          300" &&
	tui_wait r "Options from the defaults, changed by --retrain-opts" &&
	ok "R shows the retrain options, from --retrain-opts" ||
	not_ok "R shows the retrain options, from --retrain-opts"
tui_keys r y
tui_wait r "% [" 60 && tui_wait r " ep " &&
	ok "y starts it: the status line shows its progress" ||
	not_ok "y starts it: the status line shows its progress"

# Two relabels while it trains.
set -- $(pick "$l1"); k1=$1 n1=$2
tui_keys r "$k1"
tui_wait r "$id1: $l1 -> $n1 (saved)"
set -- $(pick "$l2"); k2=$1 n2=$2
tui_keys r "$k2"
if tui_wait r "$id2: $l2 -> $n2 (saved)" && grep -q " ep " "$TMP/r.screen"; then
	ok "two relabels saved while it trains"
else
	not_ok "two relabels saved while it trains"
fi

if tui_wait r "decisions too late for it" 180; then
	ok "the retrain ends with a summary"
	line=$(tail -1 "$TMP/r.screen")
	echo "    summary: $line"
	echo "$line" | grep -Eq "^run 2: [0-9]+ newly flagged, [0-9]+ cleared; noise [0-9.]+%->[0-9.]+%; test acc [0-9.]+%->[0-9.]+%; 2 decisions too late for it" &&
		ok "summary: flagged, cleared, noise and test accuracy before -> after, 2 too late" ||
		not_ok "summary: flagged, cleared, noise and test accuracy before -> after, 2 too late"
else
	not_ok "the retrain ends with a summary"
fi
runs=$(sql "$DB" "SELECT count(*) FROM runs")
check "the run is stored ($runs runs)" [ "$runs" = 2 ]
# The item on screen stays, as the first row; the rest is re-ranked.
check "the item on screen stays on screen ($id3)" [ "$(rows 3)" = "$id3" ]
after=$(rows '6,20')
check "the queue is re-ranked" [ "$before" != "$after" ]
late=$(sql "$DB" "SELECT count(*) FROM reviews WHERE action = 0")
check "the two decisions are in the log" [ "$late" = 2 ]

tui_keys r r
tui_wait r "training runs" && tui_wait r "coteach" &&
	ok "the run history lists the new run" ||
	not_ok "the run history lists the new run"
tui_keys r Escape
tui_wait r "queue: suspicion" || true

# Uncertainty, from the new model: the same order as relabel rank.
tui_keys r o o o o
if tui_wait r "queue: uncertainty"; then
	rows '3,22' > "$TMP/screen.ids"
	"$RELABEL" rank "$DB" --by uncertainty --format csv --top 20 |
		tail -n +2 | cut -d, -f2 > "$TMP/rank.ids"
	if cmp -s "$TMP/screen.ids" "$TMP/rank.ids"; then
		ok "uncertainty queue after the retrain = relabel rank --by uncertainty"
	else
		not_ok "uncertainty queue after the retrain = relabel rank --by uncertainty" \
			"$(diff "$TMP/screen.ids" "$TMP/rank.ids" | head -6)"
	fi
else
	not_ok "o reaches the uncertainty queue"
fi

# Cancel: nothing stored.
tui_keys r R
tui_wait r "retrain: options" && tui_keys r y
tui_wait r "% [" 60
tui_keys r R
tui_wait r "cancel the retrain in progress?" && tui_keys r y
tui_wait r "retrain cancelled: nothing stored (2 runs)" 60 &&
	ok "R then y cancels; nothing stored" ||
	not_ok "R then y cancels; nothing stored"
check "runs unchanged after the cancel" \
	[ "$(sql "$DB" "SELECT count(*) FROM runs")" = 2 ]

# The next run, with epochs changed in the panel, trains on both.
tui_keys r R
tui_wait r "retrain: options"
tui_keys r j j Enter
tui_wait r "epochs (now 300):" && tui_keys r 3 Enter
tui_wait r "epochs set" && tui_wait r "epochs          3" &&
	ok "enter changes an option in the panel" ||
	not_ok "enter changes an option in the panel"
tui_keys r y
tui_wait r "0 decisions too late for it" 120 &&
	ok "the next retrain has no late decisions" ||
	not_ok "the next retrain has no late decisions"
got=$(sql "$DB" "SELECT json_extract(params, '$.epochs'),
	json_extract(metrics, '$.nreviewed') FROM runs ORDER BY id DESC LIMIT 1")
check "it ran 3 epochs and trusted both reviewed items ($got)" [ "$got" = "3|2" ]
tui_keys r q
check "quits with status 0" [ "$(tui_exit_status r)" = 0 ]

# --retrain-every 2: the second decision starts a retrain by itself.
tui_start e 120 40 "'$DB' --reviewer eve --preview ascii --retrain-every 2 --retrain-opts epochs=3,folds=2,hidden=32"
tui_wait e "done 0/598" && tui_ready e ||
	{ not_ok "review opens again"; exit 0; }
tui_keys e a
tui_wait e "confirmed" && tui_keys e a
tui_wait e "run 4: " 120 && tui_wait e "0 decisions too late" &&
	ok "--retrain-every 2 retrains after two decisions" ||
	not_ok "--retrain-every 2 retrains after two decisions"
tui_keys e q
check "quits with status 0 again" [ "$(tui_exit_status e)" = 0 ]
