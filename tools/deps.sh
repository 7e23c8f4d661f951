#!/bin/sh
# deps.sh - the Debian packages relabel needs, checked and installed.
#
#   tools/deps.sh            install what is missing (root), else print
#                            the apt-get line to run
#   tools/deps.sh --list     print the package names
#   tools/deps.sh bench      the same for the benchmark's extra packages
set -eu

# Build: compiler, pkg-config and the libraries the Makefile links.
build="make gcc pkg-config libncurses-dev libsqlite3-dev libopenblas-dev
libstb-dev libsixel-dev libcjson-dev libcsv-dev libcmocka-dev zlib1g-dev"
# Tests: sqlite3 checks files, tmux drives the screen, sixel2png decodes
# previews, the Fashion-MNIST package feeds the learning tests, numpy
# writes .npy inputs, clang builds the fuzz targets, cppcheck lints.
test="sqlite3 tmux libsixel-bin dataset-fashion-mnist python3 python3-numpy
clang libclang-rt-14-dev cppcheck"
# Benchmarks: the reference implementations run side by side.
bench="python3-torch python3-sklearn hyperfine bc"

set_for=default
list=no
for a in "$@"; do
	case $a in
	--list) list=yes ;;
	bench) set_for=bench ;;
	*) echo "usage: tools/deps.sh [--list] [bench]" >&2; exit 2 ;;
	esac
done
pkgs="$build $test"
[ "$set_for" = bench ] && pkgs="$pkgs $bench"

if [ "$list" = yes ]; then
	echo $pkgs
	exit 0
fi

missing=""
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in *" installed") ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
	echo "relabel: installing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y $missing || {
		apt-get update && apt-get install -y $missing
	}
else
	echo "relabel: missing Debian packages; run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
