#!/bin/sh
# bench_features.sh - image features from 10,000 Fashion-MNIST PNG files
# (image_features at 28x28) against /usr/bin/python3 decoding the same
# files with zlib and numpy; text features of the SMS collection x10
# (textfeat_build) against scikit-learn's HashingVectorizer with the same
# settings.  Best of three wall times each.
set -eu
N=${BENCH_FEATURES_N:-10000}
REPEAT=${BENCH_FEATURES_REPEAT:-10}
dir=$BUILD/bench/features
png=$dir/png
mkdir -p "$dir"

if [ ! -f "$png/list.txt" ] || [ "$(wc -l < "$png/list.txt")" -ne "$N" ]; then
	rm -rf "$png"
	/usr/bin/python3 tests/bench/features_png.py "$png" "$N"
fi

# shellcheck disable=SC2046
cc -O2 -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude \
	-o "$dir/features_bench" tests/bench/features_bench.c \
	"$BUILD/librelabel.a" $(pkg-config --libs stb) -lpthread -lm

ours=$("$dir/features_bench" images "$png/list.txt" 28 "$dir/ours.f32")
set -- $(/usr/bin/python3 tests/bench/features_ref.py "$png/list.txt" \
	"$dir/ours.f32")
ref=$1
echo "image features, $N PNG files at 28x28: relabel ${ours}s" \
	"($(nproc) cores), zlib+numpy ${ref}s, largest difference $2"
printf 'ROW\timage features %s PNG 28x28 (s)\t%.3f\t%.3f\t%.1fx faster\t>=2x\n' \
	"$N" "$ours" "$ref" "$(echo "$ref / $ours" | bc -l)"

sms=$SHARED/data/posts/SMSSpamCollection
set -- $("$dir/features_bench" text "$sms" "$REPEAT")
ours=$1
set -- $(/usr/bin/python3 tests/bench/features_text_ref.py "$sms" "$REPEAT")
ref=$1
echo "text features, SMS collection x$REPEAT: relabel ${ours}s," \
	"HashingVectorizer ${ref}s"
printf 'ROW\ttext features SMS x%s (s)\t%.3f\t%.3f\t%.1fx faster\t>=2x\n' \
	"$REPEAT" "$ours" "$ref" "$(echo "$ref / $ours" | bc -l)"
