#!/bin/sh
# keys.sh - the reviewer's key file ($XDG_CONFIG_HOME/relabel/keys.conf)
# rebinds keys, help shows the result, a broken key file stops review
# before the screen opens with the file and line, and NO_COLOR turns half
# blocks into ASCII.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

DB=$TMP/fashion.db
make_sample_project fashion "$DB" || { not_ok "build the fashion project"; exit 0; }
mkdir -p "$TMP/cfg/relabel"
printf '# mine\nx = label bag\nq = none\nQ = quit\n' \
	> "$TMP/cfg/relabel/keys.conf"
tui_start k 120 40 "'$DB' --reviewer kay --preview blocks" \
	"XDG_CONFIG_HOME=$TMP/cfg NO_COLOR=1"
tui_wait k "done 0/600" || { not_ok "review opens"; exit 0; }
tui_wait k "ascii  level" &&
	tui_wait k "half blocks need 256 colours" &&
	ok "NO_COLOR: blocks fall back to ASCII, and say so" ||
	not_ok "NO_COLOR: blocks fall back to ASCII, and say so"
id=$(sed -n '3p' "$TMP/k.screen" | awk '{ print $2 }')
label=$(sed -n '3p' "$TMP/k.screen" | awk '{ print $3 }')
tui_keys k x
if [ "$label" = bag ]; then want="$id: confirmed bag (saved)"
else want="$id: $label -> bag (saved)"; fi
tui_wait k "$want" && ok "x relabels as bag, by class name" ||
	not_ok "x relabels as bag, by class name"
tui_keys k q
tui_wait k "key q does nothing" && ok "q unbound" || not_ok "q unbound"
tui_wait k "? help  Q quit" && ok "the title names the quit key in force" ||
	not_ok "the title names the quit key in force"
tui_keys k '?'
tui_wait k "Q                      quit" && tui_keys k G &&
	tui_wait k "2 x                    label 2        bag" &&
	ok "help shows the new bindings" || not_ok "help shows the new bindings"
tui_keys k Q
check "Q quits" [ "$(tui_exit_status k)" = 0 ]

printf 'j = down\nk = jump\n' > "$TMP/bad.conf"
"$RELABEL" review "$DB" --reviewer kay --keys "$TMP/bad.conf" \
	> "$TMP/bad.out" 2> "$TMP/bad.err" < /dev/null
rc=$?
grep -q "bad.conf:2: unknown action 'jump'" "$TMP/bad.err" && [ $rc = 1 ] &&
	ok "a bad key file is refused with file:line, status 1" ||
	not_ok "a bad key file is refused with file:line, status 1" \
		"status $rc: $(cat "$TMP/bad.err")"
"$RELABEL" review "$DB" --reviewer kay < /dev/null > /dev/null 2> "$TMP/tty.err"
rc=$?
grep -q "needs a terminal" "$TMP/tty.err" && [ $rc = 1 ] &&
	ok "without a terminal review says so, status 1" ||
	not_ok "without a terminal review says so, status 1" "$(cat "$TMP/tty.err")"
