#!/usr/bin/env bash
# bench/linearizability.sh: the linearizability tests of cmd/amplifybackendd, run longer than
# CI runs them. Six clients send CreateBackend, DeleteBackend, GetBackend and GetBackendJob
# on four apps through three replicas on a PostgreSQL cluster of the test's own (initdb'd in a
# temporary directory, on a port of its own: the shared server is never touched), while
# replicas are SIGKILLed and restarted and the cluster restarts (fast, and immediate as after a
# crash); then the same against one SQLite server killed and restarted. porcupine checks that
# every history is linearizable; a history that is not is written as an HTML visualization to
# the test's artifact directory (printed). It prints, per run, the faults injected and the
# operations checked.
#
# Needs the PostgreSQL server binaries (/usr/lib/postgresql/*/bin; as root, a user postgres).
#
# Settings (environment variables):
#   BENCH_DURATION=2m   how long each test drives its load
#   BENCH_RUNS=1        how many times to run each test
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}
DUR=${BENCH_DURATION:-2m}
RUNS=${BENCH_RUNS:-1}
ART=$(mktemp -d)
go test -count="$RUNS" -timeout 0 -run 'TestReplicasLinearizable|TestSQLiteLinearizable' -v \
	-artifacts -outputdir "$ART" ./cmd/amplifybackendd/ -args -linearizability="$DUR" |
	grep -E '^(=== RUN|--- |\s+linearizable_test.go|FAIL|ok|PASS)'
echo "artifacts (visualizations of histories that were not linearizable, if any): $ART"
