#!/bin/sh
# sixel.sh - sixel previews under a pseudo-terminal: the raw bytes are
# captured, each image is decoded with sixel2png and compared with its
# source at that size (an 8-bit Fashion-MNIST PNG, a 16-bit gradient, and
# the same inverted with the i key); auto asks the terminal, and uses
# sixel only when the device attributes list it.
. "$TOP/tests/lib.sh"
export TERM=xterm-256color LC_ALL=C.UTF-8
unset NO_COLOR COLORTERM
# Decoded gray against the source resized the same way (Catmull-Rom), mean
# over the image on a 0..1 scale: measured 0.001 - 0.003 (sixel colours
# are percentages).
BOUND=0.02

mkdir -p "$TMP/img"
cp "$TOP/sample_data/fashion/images/f0001.png" "$TMP/img/a.png"
$PY - "$TOP/tests/tui" "$TMP/img/b.png" <<'PY'
import sys
import numpy as np
sys.path.insert(0, sys.argv[1])
import png
y, x = np.mgrid[0:64, 0:96]
v = (x / 95.0 * 0.8 + 0.2 * ((y // 16) % 2)) * 65535
png.write_gray16(sys.argv[2], v.astype(np.uint16))
PY
printf 'id,image,label\na,img/a.png,x\nb,img/b.png,y\n' > "$TMP/items.csv"
DB=$TMP/sixel.db
"$RELABEL" import "$DB" --items "$TMP/items.csv" > /dev/null ||
	{ not_ok "import two images"; exit 0; }

DCS='\x1bP.*?\x1b\\'
$PY "$TOP/tests/tui/pty_run.py" "$TMP/raw" 120 40 1200 800 \
	--step "$DCS" j --step "$DCS" i --step "$DCS" q -- \
	"$RELABEL" review "$DB" --reviewer sam --preview sixel
check "review --preview sixel shows three images and quits" [ $? = 0 ]
$PY "$TOP/tests/tui/sixel_check.py" "$TMP/raw" $BOUND "$TMP/img/a.png" \
	"$TMP/img/b.png" "$TMP/img/b.png:invert"

# auto: a terminal that lists feature 4 gets sixel ...
$PY "$TOP/tests/tui/pty_run.py" "$TMP/auto" 120 40 1200 800 \
	--da '\x1b[?62;4;22c' --step "$DCS" q -- \
	"$RELABEL" review "$DB" --reviewer sam
check "auto uses sixel when the terminal answers ;4" [ $? = 0 ]
# ... one that does not gets half blocks, and no sixel.
$PY "$TOP/tests/tui/pty_run.py" "$TMP/auto2" 120 40 1200 800 \
	--da '\x1b[?62;22c' --step 'done 0/2' q -- \
	"$RELABEL" review "$DB" --reviewer sam
rc=$?
$PY - "$TMP/auto2" $rc <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
blocks = "\u2580".encode() in raw and b"\x1bP" not in raw
print("%s - auto without sixel draws half blocks (exit %s)" %
      ("ok" if blocks and sys.argv[2] == "0" else "not ok", sys.argv[2]))
PY
