#!/usr/bin/env bash
# Cross-compiles amplifybackendd for linux, darwin and windows on amd64 and arm64: static
# binaries (CGO_ENABLED=0; the SQLite driver is pure Go) with the version stamped, and their
# SHA-256 sums.
#
#   build/release.sh [OUT_DIR]          (default dist/)
#
# The version is VERSION, else `git describe --tags --always --dirty`; the commit is COMMIT,
# else `git rev-parse HEAD`. They go into internal/buildinfo through -ldflags -X, where
# `amplifybackendd --version` reads them when the toolchain's own build information has
# none: the builds here use -buildvcs=false, so the release is named by this stamp only (a
# plain `go build` in a clone gets a pseudo-version and the revision from the toolchain).
# Builds reuse Go's build cache: a second run compiles nothing that did not change.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || true)}
commit=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}
if [ -z "$version" ]; then
	echo "release.sh: no VERSION and no git describe: set VERSION" >&2
	exit 2
fi
pkg=github.com/amplifybackendd/amplifybackendd/internal/buildinfo
ldflags="-s -w -X $pkg.version=$version -X $pkg.commit=$commit"
mkdir -p "$out"
for os in linux darwin windows; do
	for arch in amd64 arm64; do
		ext=
		[ "$os" = windows ] && ext=.exe
		bin="$out/amplifybackendd-$version-$os-$arch$ext"
		# -buildvcs=false: the stamp, not the toolchain's pseudo-version, names the release.
		CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$bin" ./cmd/amplifybackendd
		echo "built $bin"
	done
done
(cd "$out" && sha256sum amplifybackendd-"$version"-* >SHA256SUMS)

# The binary for this machine says what was stamped.
host="$out/amplifybackendd-$version-$(go env GOOS)-$(go env GOARCH)"
[ "$(go env GOOS)" = windows ] && host="$host.exe"
if [ -x "$host" ]; then
	got=$("$host" --version)
	echo "$got"
	case "$got" in
	"amplifybackendd $version (commit ${commit:-unknown}, go"*) ;;
	*)
		echo "release.sh: $host --version says \"$got\", not version $version and commit ${commit:-unknown}" >&2
		exit 1
		;;
	esac
fi
