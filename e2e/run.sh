#!/usr/bin/env bash
# Runs the cross-client suites against the built server: boto3 and the AWS CLI.
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
