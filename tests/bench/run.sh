#!/bin/sh
# run.sh - runs every tests/bench/bench_*.sh (or those named) and prints
# their figures as one table.  Each benchmark prints rows as
#   ROW <tab> what <tab> relabel <tab> reference <tab> ratio <tab> target
# and anything else as notes.  Nothing here asserts a timing.
set -u
BUILD=${BUILD:-build}
export BUILD
export RELABEL="$PWD/$BUILD/relabel"
SHARED=${SHARED:-$PWD/../shared}
[ -d "$SHARED/data" ] || SHARED=/work/shared
export SHARED
mkdir -p "$BUILD/bench"
rows=$BUILD/bench/rows.tsv
: > "$rows"
if [ $# -gt 0 ]; then
	benches=""
	for b in "$@"; do benches="$benches tests/bench/bench_$b.sh"; done
else
	benches=$(ls tests/bench/bench_*.sh)
fi
for b in $benches; do
	echo "== $b"
	sh "$b" 2>&1 | tee "$BUILD/bench/$(basename "$b" .sh).log" |
		grep '^ROW	' >> "$rows" || true
done
echo
echo "relabel benchmarks ($(nproc) cores, $(date -u +%Y-%m-%d))"
awk -F'\t' 'BEGIN { printf "%-46s %14s %14s %16s %10s\n", "what", "relabel",
	"reference", "ratio", "target" }
	{ printf "%-46s %14s %14s %16s %10s\n", $2, $3, $4, $5, $6 }' "$rows"
