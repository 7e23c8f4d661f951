#!/bin/sh
# bench_import.sh - importing 1,000,000 generated text items from CSV,
# against sqlite3's own .import of the same file into a plain table.
set -eu
N=${BENCH_IMPORT_N:-1000000}
dir=$BUILD/bench/import
mkdir -p "$dir"
csv=$dir/items.csv
if [ ! -f "$csv" ] || [ "$(wc -l < "$csv")" -ne $((N + 1)) ]; then
	/usr/bin/python3 - "$csv" "$N" <<'PY'
import random, sys
path, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = ("free win call now prize claim reply stop text your mobile "
         "meet later home love ok see you tomorrow thanks good night").split()
with open(path, "w") as f:
    f.write("id,text,label,split\n")
    for i in range(n):
        t = " ".join(rng.choice(words) for _ in range(rng.randint(4, 14)))
        if i % 17 == 0:
            t = '"' + t.replace(" ", ", ", 1) + '"'
        f.write("m%07d,%s,%s,%s\n" % (i, t, "spam" if rng.random() < 0.2
                else "ham", "test" if i % 10 == 0 else "train"))
PY
fi

best() {	# best of three wall times of a command, in seconds
	b=""
	for _ in 1 2 3; do
		rm -f "$dir"/p.db*
		s=$(date +%s.%N)
		"$@" > /dev/null
		t=$(echo "$(date +%s.%N) - $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

ours=$(best "$RELABEL" import "$dir/p.db" --items "$csv")
ref=$(best sqlite3 "$dir/p.db" ".import --csv $csv items")
ratio=$(echo "scale=2; $ours / $ref" | bc)
echo "import of $N CSV rows: relabel ${ours}s, sqlite3 .import ${ref}s"
printf 'ROW\timport %s text items (s)\t%.2f\t%.2f\t%sx the time\t<=1.5x\n' \
	"$N" "$ours" "$ref" "$ratio"
