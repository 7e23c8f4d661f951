# lib.sh - helpers for the command and screen tests (sourced).
#
# Each case prints "ok - name" or "not ok - name" followed by why; the
# runner counts them.  $RELABEL is the binary, $SHARED the shared data.
set -u
: "${RELABEL:?run through tests/run.sh or make test}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/relabel-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
PY=/usr/bin/python3

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "    $l"; done; }

# check NAME CONDITION-COMMAND...: ok when the command succeeds.
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# sql DB QUERY: prints the result of a query on a project file.
sql() { sqlite3 -batch -noheader "$1" "$2"; }
