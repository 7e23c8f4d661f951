#!/bin/sh
# upgrade.sh - a project written by an older relabel (schema 1) is
# upgraded when opened, by a reading command too, and keeps its data; a
# read-only old project is refused with a message saying what to do.
. "$TOP/tests/lib.sh"

DB=$TMP/old.db
"$RELABEL" import "$DB" --items "$TOP/sample_data/posts/items.csv" \
	--annotations "$TOP/sample_data/posts/annotations.csv" > /dev/null ||
	{ not_ok "build the project"; exit 0; }

# What schema 1 was: no leases table, user_version 1.
sqlite3 "$DB" "DROP TABLE leases; PRAGMA user_version=1;"
before=$(sql "$DB" "SELECT count(*) FROM items; SELECT count(*) FROM annotations")
"$RELABEL" info "$DB" > "$TMP/info" 2> "$TMP/err"
check "info opens a schema 1 project ($(cat "$TMP/err"))" [ $? -eq 0 ]
check "the project is at schema 2 afterwards" \
	[ "$(sql "$DB" "PRAGMA user_version")" = 2 ]
check "the leases table exists" \
	[ "$(sql "$DB" "SELECT count(*) FROM sqlite_master WHERE name='leases'")" = 1 ]
check "items and votes are kept" [ "$(sql "$DB" "SELECT count(*) FROM items;
	SELECT count(*) FROM annotations")" = "$before" ]
check "info shows the items" grep -q '^items *500' "$TMP/info"

# A schema 1 file that cannot be written stays as it is.
sqlite3 "$DB" "DROP TABLE leases; PRAGMA user_version=1;"
if chattr +i "$DB" 2> /dev/null; then
	"$RELABEL" info "$DB" > /dev/null 2> "$TMP/err"
	rc=$?
	chattr -i "$DB"
	check "a read-only schema 1 project is refused (exit $rc)" [ $rc -eq 1 ]
	check "with a message saying to open it with write access" \
		grep -q "needs upgrading.*write access" "$TMP/err"
	check "and it is left at schema 1" \
		[ "$(sql "$DB" "PRAGMA user_version")" = 1 ]
else
	echo "# SKIP read-only case: chattr is not available here"
fi
