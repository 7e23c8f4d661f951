#!/bin/sh
# kill_review.sh - crash safety of the review screen: a scripted reviewer
# decides while the process is killed with SIGKILL at random moments (100
# times; KILL_REVIEW_TRIALS, KILL_SEED to change): every decision the
# screen showed as done is in the log, and the project is intact.
. "$TOP/tests/lib.sh"

BASE=$TMP/base.db
$PY "$TOP/tests/tui/make_probs.py" "$TOP/sample_data/posts" "$TMP/p.npy" \
	> /dev/null &&
"$RELABEL" import "$BASE" --items "$TOP/sample_data/posts/items.csv" \
	--probs "$TMP/p.npy" > /dev/null || { not_ok "build the project"; exit 0; }
SEED=${KILL_SEED:-$$}
echo "# seed $SEED"
mkdir -p "$TMP/work"
$PY "$TOP/tests/tui/kill_review.py" "$RELABEL" "$BASE" "$TMP/work" \
	"${KILL_REVIEW_TRIALS:-100}" "$SEED"
