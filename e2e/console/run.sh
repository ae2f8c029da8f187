#!/usr/bin/env bash
# The local console in headless Chromium: builds the server, runs the browser session of
# console.test.js (playwright-core + axe-core from e2e/console/package-lock.json) and leaves
# the screenshots in e2e/out/console/. Set UPDATE_DOCS=1 to copy them, reduced, to
# docs/console/ (needs ImageMagick's convert).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/amplifybackendd" ./cmd/amplifybackendd
export AMPLIFYBACKENDD_BIN=$bin_dir/amplifybackendd
(cd e2e/console && npm ci --no-audit --no-fund --loglevel=error >/dev/null && E2E_OUT=$PWD/../out node --test --test-reporter=spec console.test.js 2>&1)
if [ "${UPDATE_DOCS:-}" = 1 ]; then
	mkdir -p docs/console
	for f in e2e/out/console/*.png; do
		convert "$f" -resize 960x -colors 32 -define png:compression-level=9 "PNG8:docs/console/$(basename "$f")"
	done
fi
