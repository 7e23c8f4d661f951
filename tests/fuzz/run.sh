#!/bin/sh
# run.sh - builds every tests/fuzz/fuzz_<name>.c with libFuzzer and the
# sanitizers, then runs each for $FUZZ_SECONDS on a copy of its seed
# corpus (tests/fuzz/corpus/<name>/).  Prints executions and crashes per
# target; exits non-zero if any target crashed or failed to build.
#
#   BUILD=build/fuzz FUZZ_SECONDS=60 tests/fuzz/run.sh [name...]
set -u
BUILD=${BUILD:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CC=${FUZZ_CC:-clang}
PKGS="sqlite3 openblas stb libsixel libcjson ncursesw"
SAN="-fsanitize=fuzzer,address,undefined"

# ncursesw's pkg-config adds feature macros; one set is defined here.
pkg_cflags=""
for f in $(pkg-config --cflags $PKGS); do
	case $f in -D*) ;; *) pkg_cflags="$pkg_cflags $f" ;; esac
done
CFLAGS="-g -O1 -std=c11 -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 -Iinclude $pkg_cflags"
LIBS="$(pkg-config --libs $PKGS) -lcsv -lm -lpthread"

mkdir -p "$BUILD/obj" "$BUILD/work"

# The library once, instrumented: everything but the command line and
# the screen.
objs=""
for src in src/*/*.c; do
	case $src in src/cmd/*|src/tui/*) continue ;; esac
	obj=$BUILD/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	if ! $CC $CFLAGS -fsanitize=fuzzer-no-link,address,undefined \
		-c -o "$obj" "$src"; then
		echo "fuzz: cannot build $src" >&2
		exit 1
	fi
	objs="$objs $obj"
done

targets=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
status=0
for name in $targets; do
	bin=$BUILD/fuzz_$name
	if ! $CC $CFLAGS $SAN -o "$bin" "tests/fuzz/fuzz_$name.c" $objs $LIBS; then
		echo "fuzz_$name: build failed"
		status=1
		continue
	fi

	# A fresh copy: what a run finds stays out of the tree.
	seeds=tests/fuzz/corpus/$name
	mkdir -p "$seeds"
	work=$BUILD/work/$name
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/crashes"
	cp -R "$seeds/." "$work/corpus/"

	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len=65536 -timeout=25 \
		-print_final_stats=1 -artifact_prefix="$work/crashes/" \
		"$work/corpus" > "$work/log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
	crashes=$(ls "$work/crashes" | wc -l)
	if [ $rc -ne 0 ] && [ "$crashes" -eq 0 ]; then
		crashes=1	# died without leaving an input
	fi
	echo "fuzz_$name: ${execs:-0} executions, $crashes crashes"
	if [ "$crashes" -ne 0 ]; then
		status=1
		ls "$work/crashes" | sed "s|^|  $work/crashes/|"
		grep -m 5 -E 'ERROR|runtime error|SUMMARY' "$work/log" | sed 's/^/  /'
	fi
done
exit $status
