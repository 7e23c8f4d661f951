#!/bin/sh
# bench_review.sh - the review screen on a 1,000,000-item text project
# (3 classes, model probabilities, 300,000 votes on every tenth item):
# time to the first full screen, time from a key to the updated screen
# (medians), and the review process's peak memory.
#
# The screen is driven under a pseudo-terminal by review_drive.py, which
# sends one key at a time and reads the timings `relabel review` writes
# with RELABEL_BENCH_TRACE=FILE: "first-paint MS" once the first screen
# is on the terminal (counted from the start of the review code; the
# driver also reports it from fork, as a user waits), "key NAME MS" from
# reading a key to the updated screen, "maxrss KB" at exit.
# review_phases times each step of opening the project, to show where the
# first-screen time goes.  Nothing here asserts a timing.
#
# Run from the repository root: BUILD=build tests/bench/bench_review.sh
set -eu
BUILD=${BUILD:-build}
RELABEL=${RELABEL:-$PWD/$BUILD/relabel}
PY=/usr/bin/python3
N=${BENCH_REVIEW_N:-1000000}
OUT=$BUILD/bench/review
mkdir -p "$OUT"

[ -f "$BUILD/librelabel.a" ] || make --no-print-directory "$BUILD/librelabel.a"
pkgs="sqlite3 openblas stb libsixel libcjson ncursesw"
cflags=""
for f in $(pkg-config --cflags $pkgs); do
	case $f in -D*) ;; *) cflags="$cflags $f" ;; esac
done
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude $cflags \
	tests/bench/review_phases.c "$BUILD/librelabel.a" \
	$(pkg-config --libs $pkgs) -lcsv -lm -lpthread \
	-o "$BUILD/bench/review_phases"

# The project once; each run works on a fresh copy (decisions write to it).
if [ ! -f "$OUT/pristine.db" ] || [ "$(cat "$OUT/n" 2>/dev/null)" != "$N" ]; then
	echo "generating $N items and importing them"
	$PY tests/bench/review_gen.py "$OUT" "$N"
	rm -f "$OUT"/pristine.db*
	s=$(date +%s.%N)
	"$RELABEL" import "$OUT/pristine.db" --items "$OUT/items.csv" \
		--annotations "$OUT/annotations.csv" --probs "$OUT/probs.npy"
	echo "import took $(echo "$(date +%s.%N) - $s" | bc) s"
	echo "$N" > "$OUT/n"
fi

rm -f "$OUT"/work.db*
cp "$OUT/pristine.db" "$OUT/work.db"
echo "where the start-up time goes (one run, ms):"
"$BUILD/bench/review_phases" "$OUT/work.db" | sed 's/^/  /'

# Three runs: the median of each figure.
for run in 1 2 3; do
	rm -f "$OUT"/work.db*
	cp "$OUT/pristine.db" "$OUT/work.db"
	$PY tests/bench/review_drive.py "$RELABEL" "$OUT/work.db" \
		"$OUT/trace" > "$OUT/run$run.txt"
done
echo "three runs:"
cat "$OUT"/run1.txt "$OUT"/run2.txt "$OUT"/run3.txt | sed 's/^/  /'

median() {	# kind column: the median of that figure over the runs
	cat "$OUT"/run1.txt "$OUT"/run2.txt "$OUT"/run3.txt |
		awk -v k="$1" -v c="$2" '($1 == "key" ? $2 : $1) == k { print $c }' |
		sort -n | sed -n 2p
}
row() {	# what figure target
	printf 'ROW\t%s\t%s\t-\t-\t%s\n' "$1" "$2" "$3"
}
mib=$(median maxrss 2 | awk '{ printf "%.0f", $1 / 1024 }')
row "review 1M: first full screen, from exec (ms)" \
	"$(median first-paint-external 2)" "<300"
row "review 1M: key j to screen, median (ms)" "$(median 'down_(j)' 4)" "<10"
row "review 1M: page down to screen (ms)" "$(median page_down 4)" "<10"
row "review 1M: relabel, committed (ms)" "$(median 'relabel_(commit)' 4)" "<10"
row "review 1M: undo, committed (ms)" "$(median 'undo_(commit)' 4)" "<10"
row "review 1M: peak memory (MiB)" "$mib" "<200"
echo "key figures are from reading the key to the updated screen, inside"
echo "the process; the driver's own view (key written to trace line read)"
echo "is the last column of the key lines above."
