"""sixel_check.py - finds the sixel images in a raw terminal capture,
decodes each with sixel2png (libsixel-bin) and compares it with what it
should show.

    sixel_check.py RAW BOUND EXPECT...

EXPECT is PATH or PATH:invert, one per image expected in order.  Each
image must be placed with ESC 7 ESC [ row ; col H just before its DCS,
and the mean absolute difference between the decoded gray (0..1) and the
source image resized (Catmull-Rom, png.py) to the decoded size, inverted where asked,
must be under BOUND.  Prints one "ok - " or "not ok - " line an image.
Needs numpy only (png.py beside it reads and resizes the images)."""
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import png  # noqa: E402

raw = open(sys.argv[1], "rb").read()
bound = float(sys.argv[2])
expect = sys.argv[3:]
found = list(re.finditer(rb"\x1b7\x1b\[(\d+);(\d+)H(\x1bP.*?\x1b\\)", raw,
                         re.S))
if len(found) < len(expect):
    print("not ok - %d sixel images found, %d expected" %
          (len(found), len(expect)))
    sys.exit(0)
print("ok - %d sixel images, each placed at a cell first" % len(found))


def source(spec, w, h):
    path, _, how = spec.partition(":")
    a = png.resize(png.read_gray(path), w, h)
    return 1.0 - a if how == "invert" else a


with tempfile.TemporaryDirectory() as tmp:
    for k, (m, spec) in enumerate(zip(found, expect)):
        six, out = "%s/%d.six" % (tmp, k), "%s/%d.png" % (tmp, k)
        open(six, "wb").write(m.group(3))
        subprocess.run(["sixel2png", "-i", six, "-o", out], check=True)
        got = png.read_gray(out)
        want = source(spec, got.shape[1], got.shape[0])
        mad = float(np.abs(got - want).mean())
        name = "sixel image %d (%dx%d at row %s col %s) matches %s" % (
            k + 1, got.shape[1], got.shape[0], m.group(1).decode(),
            m.group(2).decode(), spec.split("/")[-1])
        print("%s - %s: mean abs difference %.4f, bound %.2f" %
              ("ok" if mad < bound else "not ok", name, mad, bound))
