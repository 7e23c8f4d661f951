#!/bin/sh
# bench_rank.sh - ranking speed, relabel against NumPy doing the same work.
#
#   (a) 1,000,000 items x 10 classes of synthetic probabilities with 20%
#       flipped labels: per-item scores, confident learning (prune by
#       noise rate) and the suspicion queue.
#   (b) Dawid-Skene EM on 1,000,000 votes (100,000 items x 10 votes,
#       10,000 annotators, 5 classes, known truth) to convergence at the
#       default tolerance 1e-6; the round cap is raised to 500 for both
#       so that both converge.
#
# Run from the repository root: BUILD=build tests/bench/bench_rank.sh
set -eu
BUILD=${BUILD:-build}
PY=/usr/bin/python3
OUT=$BUILD/bench/rank
mkdir -p "$OUT"

[ -f "$BUILD/librelabel.a" ] || make --no-print-directory "$BUILD/librelabel.a"
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude \
	tests/bench/rank_bench.c "$BUILD/librelabel.a" -lm -lpthread \
	-o "$BUILD/bench/rank_bench"

field() {	# file column: that column of the file's RESULT line
	awk -F '\t' -v c="$2" '$1 == "RESULT" { print $c }' "$1"
}

ratio() {	# slow fast: "N.Nx faster"
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx faster", a / b }'
}

run() {	# out command...: runs it into out (stopping on failure), shows it
	o=$1
	shift
	"$@" > "$o"
	cat "$o"
}

# Timings are wall-clock, best of several runs; a busy machine slows
# the short C runs more than the long NumPy ones.
echo "load: $(cat /proc/loadavg 2>/dev/null || echo unknown)"
echo "(a) scores + confident learning + suspicion queue, 1M x 10"
run "$OUT/cl_c.txt" "$BUILD/bench/rank_bench" cl 1000000 10 "$OUT"
run "$OUT/cl_py.txt" $PY tests/bench/rank_cl_ref.py "$OUT"
c=$(field "$OUT/cl_c.txt" 2)
p=$(field "$OUT/cl_py.txt" 2)
ci=$(field "$OUT/cl_c.txt" 3)
pi=$(field "$OUT/cl_py.txt" 3)
same=differ
[ "$ci" = "$pi" ] && same=same
printf 'ROW\tscores+CL+queue 1M x 10 (s)\t%s\t%s\t%s\t>=5x\n' \
	"$c" "$p" "$(ratio "$p" "$c")"
printf 'ROW\tCL label issues 1M x 10\t%s\t%s\t%s\tsame\n' "$ci" "$pi" "$same"

echo "(b) Dawid-Skene, 1M votes, 10k annotators, 5 classes"
run "$OUT/ds_c.txt" "$BUILD/bench/rank_bench" ds 100000 10000 5 10 500 "$OUT"
run "$OUT/ds_py.txt" $PY tests/bench/rank_ds_ref.py bench "$OUT"
c=$(field "$OUT/ds_c.txt" 2)
p=$(field "$OUT/ds_py.txt" 2)
printf 'ROW\tDS 1M votes to convergence (s)\t%s\t%s\t%s\t>=5x\n' \
	"$c" "$p" "$(ratio "$p" "$c")"
printf 'ROW\tDS accuracy vs truth\t%s\t%s\t-\tequal\n' \
	"$(field "$OUT/ds_c.txt" 3)" "$(field "$OUT/ds_py.txt" 3)"
printf 'ROW\tDS iterations to tol 1e-6\t%s\t%s\t-\tequal\n' \
	"$(field "$OUT/ds_c.txt" 4)" "$(field "$OUT/ds_py.txt" 4)"
