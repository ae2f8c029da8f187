#!/usr/bin/env bash
# Runs the cross-client suites against the built server: boto3, the AWS CLI, and the AWS
# JavaScript SDK v3 in Node and in headless Chromium. The browser screenshot lands in e2e/out/.
# Each suite starts its own server on a free loopback port with a fresh data directory.
set -euo pipefail
cd "$(dirname "$0")/.."
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/amplifybackendd" ./cmd/amplifybackendd
export AMPLIFYBACKENDD_BIN=$bin_dir/amplifybackendd

echo "--- boto3 (python3 -m unittest)"
(cd e2e/python && python3 -m unittest -v 2>&1)

for suite in e2e/cli/*.sh; do
	[ "$(basename "$suite")" = lib.sh ] && continue
	echo "--- AWS CLI: $suite"
	bash "$suite"
done

echo "--- JavaScript SDK v3 in Node and in headless Chromium (node --test)"
(cd e2e/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null && E2E_OUT=$PWD/../out node --test --test-reporter=spec node/ browser/ 2>&1)
