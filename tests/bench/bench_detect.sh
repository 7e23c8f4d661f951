#!/bin/sh
# bench_detect.sh - label-error detection on Fashion-MNIST with injected
# noise: precision, recall and F1 of relabel's confident-learning issues
# against the injected flips, beside the simple baseline "out-of-sample
# argmax differs from the label" on the same probabilities, and the time
# from import to ranked queue.
#   BENCH_QUICK=1: 10,000 items and 10 epochs instead of 60,000 and 20.
set -eu
dir=$BUILD/bench/detect
mkdir -p "$dir"
if [ "${BENCH_QUICK:-0}" = 1 ]; then n=10000; epochs=10; else n=60000; epochs=20; fi

for kind in sym pair; do
	/usr/bin/python3 tests/bench/detect_make.py "$dir/$kind" "$kind" 0.3 "$n"
	rm -f "$dir/$kind.db"*
	s=$(date +%s.%N)
	"$RELABEL" import "$dir/$kind.db" --items "$dir/$kind/items.csv" \
		--features "$dir/$kind/x.npy" --classes "$(cat "$dir/$kind/classes")" \
		> /dev/null
	"$RELABEL" train "$dir/$kind.db" --epochs "$epochs" --quiet > /dev/null
	"$RELABEL" rank "$dir/$kind.db" --all --format csv > "$dir/$kind/rank.csv"
	t=$(echo "$(date +%s.%N) - $s" | bc)
	/usr/bin/python3 tests/bench/detect_score.py "$dir/$kind" "$dir/$kind.db" \
		"$kind" "$t"
done
