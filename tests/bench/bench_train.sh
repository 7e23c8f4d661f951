#!/bin/sh
# bench_train.sh - relabel's training code against PyTorch on
# Fashion-MNIST: the same MLP (784-256-10), batch 128, AdamW, epochs and
# co-teaching protocol (tests/bench/train_ref.py mirrors train.h).
#
#   throughput	training samples/s, standard and co-teaching, the faster
#		of 1 and 2 threads on each side (best of BENCH_TP_REPS runs
#		each, the two sides taking turns); the OpenBLAS sgemm
#		GFLOP/s of this machine and the share of it training reaches
#   accuracy	clean t10k accuracy under symmetric 20%, symmetric 50% and
#		pair-flip 45% label noise, standard vs co-teaching (tau =
#		the noise rate), relabel vs PyTorch (1 thread each, the two
#		sides run at the same time), mean and standard deviation
#		over the seeds BENCH_SEEDS (initializations, batch order;
#		the noisy labels stay the same)
#   memory	peak RSS of the co-teaching run on each side
#
# Env: BENCH_EPOCHS (default 20), BENCH_NTRAIN (60000), BENCH_TP_EPOCHS
# (2), BENCH_TP_REPS (2), BENCH_SEEDS ("1 2 3"), BENCH_QUICK=1 (10000
# items, 5 epochs, 1 throughput epoch, seed 1).
set -eu
BUILD=${BUILD:-build}
PY=/usr/bin/python3
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	EPOCHS=${BENCH_EPOCHS:-5} NTRAIN=${BENCH_NTRAIN:-10000}
	TP_EPOCHS=${BENCH_TP_EPOCHS:-1} SEEDS=${BENCH_SEEDS:-1}
else
	EPOCHS=${BENCH_EPOCHS:-20} NTRAIN=${BENCH_NTRAIN:-60000}
	TP_EPOCHS=${BENCH_TP_EPOCHS:-2} SEEDS=${BENCH_SEEDS:-1 2 3}
fi
TP_REPS=${BENCH_TP_REPS:-2}
dir=$BUILD/bench/train
mkdir -p "$dir"
if [ ! -f /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz ]; then
	echo "bench_train: Fashion-MNIST is not installed; skipped"
	exit 0
fi

# The driver links librelabel.a; its own sources serve if that fails.
drv=$dir/train_bench
cflags="-O2 -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude -Itests/unit
$(pkg-config --cflags openblas)"
libs="$(pkg-config --libs openblas zlib) -lpthread -lm"
if make -s "$BUILD/librelabel.a" > /dev/null 2>&1; then
	# shellcheck disable=SC2086
	cc $cflags -o "$drv" tests/bench/train_bench.c "$BUILD/librelabel.a" $libs
else
	echo "note: $BUILD/librelabel.a did not build; compiling src/learn and src/util"
	# shellcheck disable=SC2086
	cc $cflags -o "$drv" tests/bench/train_bench.c src/learn/*.c src/util/*.c $libs
fi

# Noisy training labels, the same files for both sides.
$PY - "$dir" <<'PY'
import gzip, sys
import numpy as np
d = sys.argv[1]
with gzip.open("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz") as f:
    y = np.frombuffer(f.read(), np.uint8, offset=8).astype(np.int64)
rng = np.random.default_rng(2018)
y.astype(np.uint8).tofile(d + "/clean.bin")
for name, rate in (("sym20", 0.2), ("sym50", 0.5)):
    flip = rng.random(len(y)) < rate
    other = (y + rng.integers(1, 10, len(y))) % 10      # any other class
    np.where(flip, other, y).astype(np.uint8).tofile(d + "/%s.bin" % name)
flip = rng.random(len(y)) < 0.45
np.where(flip, (y + 1) % 10, y).astype(np.uint8).tofile(d + "/pair45.bin")
PY

field() {	# field N of the RESULT line in file
	awk -v n="$2" '$1 == "RESULT" { print $(n + 1) }' "$1"
}
max() { echo "$1 $2" | awk '{ print ($1 > $2) ? $1 : $2 }'; }

echo "Fashion-MNIST: $NTRAIN training items, t10k for accuracy; $EPOCHS epochs" \
	"(throughput: $TP_EPOCHS)"
sgemm() {	# best of three one-second sgemm loops on $1 threads
	for _ in 1 2 3; do
		OPENBLAS_NUM_THREADS=$1 "$drv" sgemm 1
	done | awk '$2 > b { b = $2 } END { print b }'
}
g1=$(sgemm 1)
g2=$(sgemm 2)
echo "OpenBLAS sgemm 1024x1024: $g1 GFLOP/s (1 thread), $g2 GFLOP/s (2 threads)"

# Throughput: best of 1 and 2 threads for each side and method.
for m in standard coteach; do
	rb=0 tb=0 rt=1
	for t in 1 2; do
		r=0 p=0
		for _ in $(seq "$TP_REPS"); do
			"$drv" train $m "$TP_EPOCHS" $t "$NTRAIN" "$dir/clean.bin" \
				> "$dir/tp.out"
			r=$(max "$(field "$dir/tp.out" 5)" "$r")
			$PY tests/bench/train_ref.py $m "$TP_EPOCHS" $t "$NTRAIN" \
				"$dir/clean.bin" > "$dir/tp.out"
			p=$(max "$(field "$dir/tp.out" 5)" "$p")
		done
		echo "$m, $t thread(s): relabel $r samples/s, PyTorch $p samples/s"
		[ "$(max "$r" "$rb")" = "$r" ] && rt=$t
		rb=$(max "$r" "$rb") tb=$(max "$p" "$tb")
	done
	printf 'ROW\ttrain %s 784-256-10 (samples/s)\t%s\t%s\t%sx\t>=1.5x\n' "$m" \
		"$rb" "$tb" "$(echo "$rb $tb" | awk '{ printf "%.2f", $1 / $2 }')"

	# Forward 2(784*256 + 256*10), backward the same less layer 0's dX.
	fl=$(echo "$m" | awk '{ print ($1 == "coteach" ? 2 : 1) * 818176 }')
	g=$g1
	[ "$rt" = 2 ] && g=$g2
	printf 'ROW\t%s: share of sgemm %s GFLOP/s (%s thread(s))\t%s%%\t-\t-\t-\n' \
		"$m" "$g" "$rt" "$(echo "$rb $fl $g" |
		awk '{ printf "%.0f", 100 * $1 * $2 / 1e9 / $3 }')"
done

# "mean±sd" in percent of the accuracies (fractions) on stdin.
stats() {
	awk '{ s += $1; q += $1 * $1; n++ } END {
		m = s / n; v = n > 1 ? (q - n * m * m) / (n - 1) : 0
		printf "%.2f±%.2f", 100 * m, 100 * sqrt(v > 0 ? v : 0) }'
}

# Accuracy under noise, both sides at once on one thread each.
nseed=$(echo "$SEEDS" | wc -w)
for noise in sym20 sym50 pair45; do
	case $noise in
	sym20) tau=0.2 want='within 0.2 pts' ;;
	sym50) tau=0.5 want='within 0.2 pts' ;;
	*) tau=0.45 want='>= -0.5 pts' ;;
	esac
	for m in standard coteach; do
		: > "$dir/acc_r.all"
		: > "$dir/acc_t.all"
		for seed in $SEEDS; do
			BENCH_SEED=$seed BENCH_TAU=$tau "$drv" train $m "$EPOCHS" 1 \
				"$NTRAIN" "$dir/$noise.bin" > "$dir/acc_r.out" &
			BENCH_SEED=$seed $PY tests/bench/train_ref.py $m "$EPOCHS" 1 \
				"$NTRAIN" "$dir/$noise.bin" "$tau" > "$dir/acc_t.out"
			wait
			r=$(field "$dir/acc_r.out" 7) p=$(field "$dir/acc_t.out" 7)
			echo "$r" >> "$dir/acc_r.all"
			echo "$p" >> "$dir/acc_t.all"
			echo "$noise $m seed $seed: relabel $r, PyTorch $p"
		done
		d=$(paste "$dir/acc_r.all" "$dir/acc_t.all" |
			awk '{ s += $1 - $2; n++ } END { printf "%+.2f", 100 * s / n }')
		printf 'ROW\tclean accuracy, %s noise, %s (%%, mean±sd of %s seeds)\t%s\t%s\t%s pts\t%s\n' \
			"$noise" "$m" "$nseed" "$(stats < "$dir/acc_r.all")" \
			"$(stats < "$dir/acc_t.all")" "$d" "$want"
		if [ $m = coteach ]; then
			mr=$(field "$dir/acc_r.out" 8) mt=$(field "$dir/acc_t.out" 8)
		fi
	done
done
printf 'ROW\tpeak RSS, co-teaching run (MB)\t%s\t%s\t%sx\t<=1x\n' "$mr" "$mt" \
	"$(echo "$mr $mt" | awk '{ printf "%.2f", $1 / $2 }')"
