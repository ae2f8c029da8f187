#!/usr/bin/env bash
# Differential test of internal/modelgen against the reference DataStore model
# generator (npm @aws-amplify/appsync-modelgen-plugin, pinned in package.json).
#
#   e2e/modelgen-diff/run.sh [path/to/reference]
#
# Copies the reference folder (default: e2e/modelgen-diff/reference, reference.js
# and its pinned package.json) to a temporary directory, installs it with npm,
# and runs against it, on
# the same schemas (testdata/edge and the seeded random ones):
#   - TestDifferential (internal/modelgen): modelgen.Generate itself;
#   - TestModelgenDifferentialThroughAPI (cmd/amplifybackendd): the running server
#     through aws-sdk-go (CreateBackendAPI or UpdateBackendAPI,
#     GenerateBackendAPIModels, GetBackendAPIModels).
# MODELGEN_DIFF_N, MODELGEN_DIFF_SEED and MODELGEN_DIFF_SAMPLE are passed through
# to the tests.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="${1:-$repo_root/e2e/modelgen-diff/reference}"
if [[ ! -f "$src/reference.js" || ! -f "$src/package.json" ]]; then
  echo "run.sh: $src does not contain reference.js and package.json" >&2
  exit 2
fi
src="$(cd "$src" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/modelgen-ref.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# Copy everything but an existing node_modules; install fresh.
tar -C "$src" --exclude=node_modules -cf - . | tar -C "$tmp" -xf -
(cd "$tmp" && npm install --no-audit --no-fund)

cd "$repo_root"
export MODELGEN_REFERENCE_DIR="$tmp"
go test ./internal/modelgen -run '^TestDifferential$' -count=1 -v
go test ./cmd/amplifybackendd -run '^TestModelgenDifferentialThroughAPI$' -count=1 -v
