#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzXxx(f *testing.F) in a _test.go file) for a bounded
# time each and fails on the first crash. The checked-in seed corpora (testdata/fuzz/) also
# run with every `go test ./...`; this adds the mutation.
#
#   FUZZTIME      how long each target runs (go test -fuzztime; default 10s)
#   FUZZPARALLEL  fuzzing workers per target (go test -parallel; default GOMAXPROCS)
#   bash .ci/fuzz.sh [REGEX]   only the targets whose name matches REGEX
#
# A crash leaves its input in the package's testdata/fuzz/FuzzXxx/ and prints the command
# that reproduces it; commit that file with the fix, as a regression seed.
#
# Go 1.26's fuzz coordinator can end a run with a bare "context deadline exceeded" at the
# -fuzztime boundary when a worker is slow to stop on a busy machine (golang/go#75804, fixed
# in Go 1.27): no input is written and nothing reproduces. Such a run is retried once; a
# second one, or any failure that writes an input, fails.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}
fuzztime=${FUZZTIME:-10s}
filter=${1:-.}
parallel=()
[ -n "${FUZZPARALLEL:-}" ] && parallel=(-parallel "$FUZZPARALLEL")

# package directory and target name, one pair per line, sorted
targets=$(find . -name node_modules -prune -o -name '*_test.go' -print0 |
	xargs -0 grep -HE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' |
	sed -E 's|^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+)\(.*|\1 \2|' |
	{ grep -E " .*${filter}" || true; } | sort)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets match '$filter'" >&2
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "fuzz: $(echo "$targets" | wc -l) targets, $fuzztime each"
while read -r dir name; do
	echo "--- fuzz ./$dir $name ($fuzztime)"
	start=$SECONDS
	for attempt in 1 2; do
		before=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null || true)
		if go test "./$dir" -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "${parallel[@]}" 2>&1 | tee "$log"; then
			break
		fi
		after=$(ls "$dir/testdata/fuzz/$name" 2>/dev/null || true)
		if [ "$attempt" = 1 ] && [ "$before" = "$after" ] && grep -q '^    context deadline exceeded$' "$log"; then
			echo "fuzz ./$dir $name: ended with \"context deadline exceeded\" and wrote no input (golang/go#75804): once more" >&2
			continue
		fi
		echo "FAIL fuzz ./$dir $name: the failing input is in $dir/testdata/fuzz/$name/;" >&2
		echo "     reproduce with: go test ./$dir -run='^$name\$' -count=1" >&2
		exit 1
	done
	echo "ok   fuzz ./$dir $name ($((SECONDS - start))s)"
done <<<"$targets"
echo "fuzz: all targets ran $fuzztime without a crash"
