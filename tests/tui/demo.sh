#!/bin/sh
# demo.sh - relabel demo on a terminal builds the sample project and opens
# the review screen on it; quitting leaves the project for the next demo.
# With $USER empty (as under some cron or su set-ups) the reviewer is the
# account's login name.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/demo.db
me=$(id -un)
tui_run d 120 40 "demo posts --project '$DB' --epochs 1 --preview none" "USER="
tui_wait d "$me | suspicion 1/500" 120 &&
	ok "demo posts opens the review screen on the new project" ||
	not_ok "demo posts opens the review screen on the new project"
tui_wait d "relabel  demo.db  queue: suspicion" &&
	ok "the screen is on the project it built" ||
	not_ok "the screen is on the project it built"
tui_keys d 1
tui_wait d "(saved)" && ok "a decision is saved" || not_ok "a decision is saved"
check "under the login name" test "$(sql "$DB" \
	'select group_concat(reviewer) from reviews')" = "$me"
tui_keys d q
check "quitting ends the demo with status 0" test "$(tui_exit_status d)" = 0
check "the project stays, trained once" \
	test "$(sql "$DB" 'select count(*) from runs')" = 1
