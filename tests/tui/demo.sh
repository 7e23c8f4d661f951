#!/bin/sh
# demo.sh - relabel demo on a terminal builds a project from a sample
# folder and opens the review screen on it; quitting leaves the project
# for the next demo.
# With $USER empty (as under some cron or su set-ups) the reviewer is the
# account's login name.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

# The first 80 images of the sample, as a folder of one's own: the demo
# trains on them in seconds even under a sanitizer.
mkdir -p "$TMP/mine/images"
$PY -c '
import csv, shutil, sys
src, dst = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(src + "/items.csv", newline="")))[:81]
csv.writer(open(dst + "/items.csv", "w", newline="")).writerows(rows)
for r in rows[1:]:
    shutil.copy(src + "/" + r[1], dst + "/" + r[1])
' "$TOP/sample_data/fashion" "$TMP/mine"
cp "$TOP/sample_data/fashion/classes.txt" "$TMP/mine/"
DB=$TMP/demo.db
me=$(id -un)
tui_run d 120 40 "demo '$TMP/mine' --project '$DB' --epochs 1 --preview none" \
	"USER="
tui_wait d "$me | suspicion 1/80" 120 &&
	ok "demo opens the review screen on the project it builds" ||
	not_ok "demo opens the review screen on the project it builds"
tui_wait d "relabel  demo.db  queue: suspicion" &&
	ok "the screen names that project" ||
	not_ok "the screen names that project"
tui_keys d 1
tui_wait d "(saved)" && ok "a decision is saved" || not_ok "a decision is saved"
check "under the login name" test "$(sql "$DB" \
	'select group_concat(reviewer) from reviews')" = "$me"
tui_keys d q
check "quitting ends the demo with status 0" test "$(tui_exit_status d)" = 0
check "the project stays, trained once" \
	test "$(sql "$DB" 'select count(*) from runs')" = 1
