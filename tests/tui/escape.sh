#!/bin/sh
# escape.sh - a post full of escape sequences, a bell and a bidi override,
# and an id with a line break, are shown as visible escapes: the pane
# holds no control character, the pane title and the terminal modes are
# as before, and the raw output has none of the data's sequences.
. "$TOP/tests/lib.sh"
. "$TOP/tests/tui/tmux_helpers"

$PY - "$TMP/evil.csv" <<'PY'
import csv, sys
rows = [["id", "text", "label"],
        ["evil\nid", "a post whose id has a line break", "ham"],
        ["p2", "\x1b]2;PWNED\x07 title \x1b[31mRED\x1b[0m \x1b[2J gone? "
               "bell\x07 bidi \u202eesrever\u202c wide \u65e5\u672c\u8a9e end",
         "spam"],
        ["p3", "plain", "ham"]]
with open(sys.argv[1], "w", newline="") as f:
    csv.writer(f).writerows(rows)
PY
DB=$TMP/evil.db
"$RELABEL" import "$DB" --items "$TMP/evil.csv" > /dev/null ||
	{ not_ok "import the hostile posts"; exit 0; }

tui_start e 120 40 "'$DB' --reviewer eve"
tui_wait e ' evil\nid ' && ok "an id with a line break is shown escaped" ||
	not_ok "an id with a line break is shown escaped"
tui_keys e j
tui_wait e '\e]2;PWNED\x07 title \e[31mRED\e[0m \e[2J gone?' &&
	tui_wait e 'bidi \u{202e}esrever\u{202c} wide' &&
	ok "the post's sequences are shown escaped" ||
	not_ok "the post's sequences are shown escaped"
tui_screen e > "$TMP/pane"
cntrl=$(tr -d '\n' < "$TMP/pane" | LC_ALL=C tr -cd '\000-\037\177' | wc -c)
check "the pane holds no control character" [ "$cntrl" = 0 ]
title=$($TM display-message -p -t e '#{pane_title}')
check "the pane title is untouched ($title)" [ "$title" != PWNED ]
tui_keys e q
check "quits with status 0" [ "$(tui_exit_status e)" = 0 ]
check "terminal modes restored (stty -g before = after)" \
	cmp -s "$TMP/e.stty0" "$TMP/e.stty1"
# The script prints this after relabel: tmux has read all it wrote.
tui_wait e "relabel exited" > /dev/null
modes=$($TM display-message -p -t e '#{alternate_on} #{cursor_flag} #{insert_flag} #{keypad_flag}')
check "normal screen, cursor shown, no insert or keypad mode ($modes)" \
	[ "$modes" = "0 1 0 0" ]

# The raw bytes: none of the data's sequences reach the terminal.
TERM=xterm-256color LC_ALL=C.UTF-8 $PY "$TOP/tests/tui/pty_run.py" "$TMP/raw" 120 40 0 0 \
	--step 'done 0/3' j --step 'PWNED' q -- \
	"$RELABEL" review "$DB" --reviewer eve
rc=$?
check "review under a pty quits with status 0" [ "$rc" = 0 ]
$PY - "$TMP/raw" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
bad = [what for what, seq in [("OSC", b"\x1b]"), ("BEL", b"\x07"),
                              ("red SGR", b"\x1b[31mRED"),
                              ("bidi override", "\u202e".encode())]
       if seq in raw]
shown = b"\\e]2;PWNED\\x07" in raw
print("ok - no OSC, BEL, data SGR or bidi byte in the raw output"
      if not bad and shown else
      "not ok - raw output holds the data's %s (escaped form seen: %s)"
      % (bad, shown))
PY
