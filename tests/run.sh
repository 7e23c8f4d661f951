#!/bin/sh
# run.sh - runs every test and prints one summary line "N passed, N failed".
#
#   tests/run.sh [unit|cli|tui]...   (default: all three)
# Unit tests are the cmocka binaries under $BUILD/tests; cli and tui tests
# are shell scripts that print "ok - name" or "not ok - name" per case.
set -u
BUILD=${BUILD:-build}
export BUILD
export RELABEL="$PWD/$BUILD/relabel"
export TOP="$PWD"
# The shared real data sits beside the checkout; a clone made elsewhere
# finds it through $SHARED.
SHARED=${SHARED:-$PWD/../shared}
[ -d "$SHARED/data" ] || SHARED=/work/shared
SHARED=$(cd "$SHARED" && pwd)
export SHARED
export CMOCKA_MESSAGE_OUTPUT=stdout
groups=${*:-unit cli tui}
passed=0
failed=0
log=$BUILD/test.log
mkdir -p "$BUILD"
: > "$log"

count_cmocka() {	# file: adds its PASSED/FAILED counts
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
}

for g in $groups; do
	case $g in
	unit)
		for t in "$BUILD"/tests/test_*; do
			[ -x "$t" ] || continue
			out=$BUILD/$(basename "$t").out
			(cd tests/unit && "$TOP/$t") > "$out" 2>&1
			rc=$?
			cat "$out" >> "$log"
			before=$failed
			count_cmocka "$out"
			if [ $rc -ne 0 ] && [ $failed -eq $before ]; then
				failed=$((failed + 1))	# crashed before reporting
			fi
			[ $rc -ne 0 ] && { echo "FAIL $t"; grep -E '^\[  (FAILED|ERROR) |Error|error' "$out" | head -20; }
		done ;;
	cli|tui)
		for t in tests/$g/*.sh; do
			[ -f "$t" ] || continue
			out=$BUILD/$(basename "$t").out
			sh "$t" > "$out" 2>&1
			rc=$?
			cat "$out" >> "$log"
			p=$(grep -c '^ok - ' "$out")
			f=$(grep -c '^not ok - ' "$out")
			passed=$((passed + p))
			failed=$((failed + f))
			if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
				failed=$((failed + 1))
				echo "FAIL $t (exit $rc)"; tail -5 "$out"
			fi
			grep -A3 '^not ok - ' "$out"
		done ;;
	*) echo "tests/run.sh: unknown group $g" >&2; exit 2 ;;
	esac
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
