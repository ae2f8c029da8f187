#!/usr/bin/env bash
# Runs the test-suite recipes of docs/testing.md against the built binary: the pytest
# fixture (examples/testing/python) and the vitest globalSetup (examples/testing/js). The Go
# recipe (examples/testing/go) and the amplifybackendtest package run with `go test ./...`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin_dir=$(mktemp -d)
trap 'rm -rf "$bin_dir"' EXIT
go build -o "$bin_dir/amplifybackendd" ./cmd/amplifybackendd
export AMPLIFYBACKENDD_BIN=$bin_dir/amplifybackendd

# pytest with boto3: the machine's python3 when it has both (pip install pytest boto3), else
# Debian's /usr/bin/python3 with python3-pytest and python3-boto3 (what .ci/run installs, as
# CI reaches no Python package index).
python=
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null && "$py" -c 'import pytest, boto3' 2>/dev/null; then
		python=$py
		break
	fi
done
if [ -z "$python" ]; then
	echo "no python3 with pytest and boto3: pip install pytest boto3, or apt-get install python3-pytest python3-boto3" >&2
	exit 1
fi
echo "--- Python recipe: pytest fixture ($python, pytest $("$python" -c 'import pytest; print(pytest.__version__)'))"
(cd examples/testing/python && PYTHONDONTWRITEBYTECODE=1 "$python" -m pytest -v -p no:cacheprovider 2>&1)

echo "--- JavaScript recipe: vitest globalSetup"
(cd examples/testing/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null && npx vitest run 2>&1)
