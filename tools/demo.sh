#!/bin/sh
# demo.sh - builds the demo project from the bundled sample data (once),
# trains on it, and opens the review screen.
#   tools/demo.sh RELABEL [fashion|posts]
set -eu
relabel=$1
set=${2:-fashion}
dir=sample_data/$set
db=build/demo-$set.db
[ "$set" = fashion ] && db=build/demo.db
case $set in
fashion) classes=t-shirt,trouser,pullover,dress,coat,sandal,shirt,sneaker,bag,ankle-boot ;;
posts) classes=ham,spam ;;
*) echo "relabel: no sample set '$set' (fashion or posts)" >&2; exit 2 ;;
esac

if [ ! -f "$db" ]; then
	"$relabel" import "$db" --items "$dir/items.csv" \
		--annotations "$dir/annotations.csv" --classes "$classes"
	"$relabel" train "$db" --epochs 10
fi
if [ -t 0 ] && [ -t 1 ]; then
	exec "$relabel" review "$db" --reviewer "${USER:-$(id -un)}"
fi
"$relabel" info "$db"
echo "(not on a terminal: run '$relabel review $db' to open the review screen)"
