#!/bin/sh
# bench_review.sh - the review screen on a 1,000,000-item text project
# (3 classes, model probabilities, 300,000 votes on every tenth item):
# time to the first screen and to the full queue, time from a key to the
# updated screen (medians), and the review process's peak memory.
#
# Two projects: "ranked", whose newest run carries its ranking as a run
# from relabel train does (review_ranked stores the imported
# probabilities again with it), so the first page comes from the stored
# suspicion while the rest is read in the background; and "imported",
# whose only run is the --probs import without a ranking, so the first
# screen has no rows until the project is read.
#
# The screen is driven under a pseudo-terminal by review_drive.py, which
# sends one key at a time and reads the timings `relabel review` writes
# with RELABEL_BENCH_TRACE=FILE: "first-paint MS ROWS" once the first
# screen is on the terminal (counted from the start of the review code;
# the driver also reports it from fork, as a user waits), "loaded MS"
# when the full queue is, "key NAME MS" from reading a key to the updated
# screen, "maxrss KB" at exit.  review_phases times each step of reading
# the project, to show where the time goes.  Nothing here asserts a
# timing.
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
for prog in review_phases review_ranked; do
	cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude $cflags \
		tests/bench/$prog.c "$BUILD/librelabel.a" \
		$(pkg-config --libs $pkgs) -lcsv -lm -lpthread \
		-o "$BUILD/bench/$prog"
done

# The projects once; each run works on a fresh copy (decisions write to
# it).
if [ ! -f "$OUT/ranked.db" ] || [ "$(cat "$OUT/n" 2>/dev/null)" != "$N" ]; then
	echo "generating $N items and importing them"
	$PY tests/bench/review_gen.py "$OUT" "$N"
	rm -f "$OUT"/imported.db* "$OUT"/ranked.db*
	s=$(date +%s.%N)
	"$RELABEL" import "$OUT/imported.db" --items "$OUT/items.csv" \
		--annotations "$OUT/annotations.csv" --probs "$OUT/probs.npy"
	echo "import took $(echo "$(date +%s.%N) - $s" | bc) s"
	cp "$OUT/imported.db" "$OUT/ranked.db"
	"$BUILD/bench/review_ranked" "$OUT/ranked.db"
	echo "$N" > "$OUT/n"
fi

rm -f "$OUT"/work.db*
cp "$OUT/ranked.db" "$OUT/work.db"
echo "where the time to the full queue goes (one run, ms):"
"$BUILD/bench/review_phases" "$OUT/work.db" | sed 's/^/  /'

# Three runs of each project: the median of each figure.
for kind in ranked imported; do
	for run in 1 2 3; do
		rm -f "$OUT"/work.db*
		cp "$OUT/$kind.db" "$OUT/work.db"
		$PY tests/bench/review_drive.py "$RELABEL" "$OUT/work.db" \
			"$OUT/trace" > "$OUT/$kind$run.txt"
	done
	echo "three runs, $kind:"
	cat "$OUT/$kind"1.txt "$OUT/$kind"2.txt "$OUT/$kind"3.txt | sed 's/^/  /'
done

median() {	# project kind column: the median of that figure over the runs
	cat "$OUT/$1"1.txt "$OUT/$1"2.txt "$OUT/$1"3.txt |
		awk -v k="$2" -v c="$3" '($1 == "key" ? $2 : $1) == k { print $c }' |
		sort -n | sed -n 2p
}
row() {	# what figure target
	printf 'ROW\t%s\t%s\t-\t-\t%s\n' "$1" "$2" "$3"
}
for kind in ranked imported; do
	mib=$(median $kind maxrss 2 | awk '{ printf "%.0f", $1 / 1024 }')
	row "review 1M $kind: first screen, from exec (ms; $(median $kind first-rows 2) rows)" \
		"$(median $kind first-paint-external 2)" "<300"
	row "review 1M $kind: full queue, from exec (ms)" \
		"$(median $kind loaded-external 2)" "-"
	row "review 1M $kind: key j to screen, median (ms)" \
		"$(median $kind 'down_(j)' 4)" "<10"
	row "review 1M $kind: page down to screen (ms)" \
		"$(median $kind page_down 4)" "<10"
	row "review 1M $kind: relabel, committed (ms)" \
		"$(median $kind 'relabel_(commit)' 4)" "<10"
	row "review 1M $kind: undo, committed (ms)" \
		"$(median $kind 'undo_(commit)' 4)" "<10"
	row "review 1M $kind: peak memory (MiB)" "$mib" "<200"
done
echo "key figures are from reading the key to the updated screen, inside"
echo "the process, once the full queue is on screen; the driver's own"
echo "view (key written to trace line read) is the last column of the key"
echo "lines above."
