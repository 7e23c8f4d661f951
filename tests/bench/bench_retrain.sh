#!/bin/sh
# bench_retrain.sh - retraining from the review screen on the Fashion-MNIST
# training set (60,000 28x28 images as PNGs, 20% of the train split's
# labels flipped, the last tenth a clean test split; the 784 pixels are
# imported as --features, so training never decodes the PNGs, while the
# screen shows them).  Co-teaching with K = 4 cross-fitting folds and the
# default epochs and hidden layer.
#
# Measured in one run: the median time from a key (j) to the updated
# screen while nothing trains, and while a retrain started with R, y runs
# in the screen's worker thread (one key every 100 ms, as a quick
# reviewer); and the retrain's wall time next to the same run from the
# command line (relabel train with the options the screen uses, OpenBLAS
# threads included).  A first short run gives both a previous run to
# take the noise rate from, as a retrain has.
#
# BENCH_QUICK=1: 10,000 images and 3 epochs.  Nothing here asserts a
# timing.  Run from the repository root:
#   BUILD=build tests/bench/bench_retrain.sh
set -eu
BUILD=${BUILD:-build}
RELABEL=${RELABEL:-$PWD/$BUILD/relabel}
PY=/usr/bin/python3
if [ "${BENCH_QUICK:-0}" = 1 ]; then N=10000 EPOCHS=3; else N=60000 EPOCHS=20; fi
FOLDS=4
CPUS=$(getconf _NPROCESSORS_ONLN)
# The screen's worker uses the CPUs less one; the command line the same.
THREADS=$((CPUS > 2 ? CPUS - 1 : 1))
OUT=$BUILD/bench/retrain
mkdir -p "$OUT"

if [ ! -f "$OUT/base.db" ] || [ "$(cat "$OUT/n" 2>/dev/null)" != "$N" ]; then
	echo "writing $N Fashion-MNIST images and importing them"
	rm -rf "$OUT/img" "$OUT"/base.db*
	$PY tests/bench/review_fmnist.py "$OUT" "$N"
	"$RELABEL" import "$OUT/base.db" --items "$OUT/items.csv" \
		--features "$OUT/features.npy" --root "$OUT"
	echo "$N" > "$OUT/n"
fi
rm -f "$OUT"/work.db*
cp "$OUT/base.db" "$OUT/work.db"
opts="--epochs $EPOCHS --folds $FOLDS --threads $THREADS"
echo "first run (1 epoch, for the noise rate): $("$RELABEL" train \
	"$OUT/work.db" --epochs 1 --folds $FOLDS --threads $THREADS --quiet |
	head -1)"

# The command line: the run the screen's retrain repeats.
s=$(date +%s.%N)
"$RELABEL" train "$OUT/work.db" $opts --quiet | sed 's/^/command line: /'
cli=$(echo "$(date +%s.%N) - $s" | bc)
echo "command line wall time: $cli s"

# The screen: its retrain takes the newest run's options.
$PY tests/bench/review_retrain.py "$RELABEL" "$OUT/work.db" "$OUT/trace" \
	100 100 > "$OUT/screen.txt"
sed 's/^/screen: /' "$OUT/screen.txt"
runs=$(sqlite3 -batch -noheader "$OUT/work.db" "SELECT count(*) FROM runs")
echo "runs stored: $runs (first, command line, screen)"

fig() { awk -v k="$1" -v c="$2" '$1 == k { print $c }' "$OUT/screen.txt"; }
idle=$(fig keys-idle 3)
busy=$(fig keys-training 3)
screen=$(fig retrain 3)
row() {	# what relabel reference ratio target
	printf 'ROW\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5"
}
row "retrain $N items: key j to screen while training vs idle, median (ms)" \
	"$busy" "$idle" "$(echo "scale=2; $busy / $idle" | bc)x" "<2x"
row "retrain $N items: key j while training, 90th percentile (ms)" \
	"$(fig keys-training 4)" "$(fig keys-idle 4)" \
	"$(echo "scale=2; $(fig keys-training 4) / $(fig keys-idle 4)" | bc)x" "-"
row "retrain $N items, $EPOCHS epochs, K=$FOLDS: screen's worker vs relabel train (s)" \
	"$screen" "$cli" "$(echo "scale=2; $screen / $cli" | bc)x" "~1x"
row "retrain $N items: run stored to re-ranked queue on screen (ms)" \
	"$(fig reload-ms 2)" "-" "-" "-"
row "retrain $N items: review process peak memory (MiB)" \
	"$(fig maxrss 2 | awk '{ printf "%.0f", $1 / 1024 }')" "-" "-" "-"
echo "keys: $(fig keys-idle 2) idle, $(fig keys-training 2) while training;" \
	"OpenBLAS threads $THREADS of $CPUS CPUs"
