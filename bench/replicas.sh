#!/usr/bin/env bash
# bench/replicas.sh: throughput of one and of two amplifybackendd replicas on one PostgreSQL
# database, under the same load. It prints req/s for 1 and 2 replicas and their ratio, for
# each mix, with where the machine's CPU went (docs/deploy.md discusses the figures).
#
# The load is two wrk processes, each with half the connections and one thread. Against one
# replica both aim at it; against two, one at each: the same clients either way, and the
# round-robin of a load balancer without the balancer's own cost. The measurements of a run
# share one fresh schema (the replicas' search_path), dropped at the end; replica 1 runs only
# for the two-replica measurements, so that its job runner takes no part in the others.
#
# Mixes (bench/replicas/replicas.lua):
#   reads   GetBackendJob on 21 jobs of one environment
#   mixed   80% GetBackendJob, 10% CreateToken on one of 32 apps, 10% CreateBackend of a new
#           app (a job that the replicas' runners share through their leases)
#
# Columns: req/s of both wrk processes together; p50 and p99 of the worse of the two; errors
# as wrk counts them (non-2xx answers, timeouts over 2s, socket errors); CPU as a share of the
# whole machine over the run (100% = every core busy): all of it, the replicas', and that of
# every `postgres` process on the machine (other users of the server count too).
#
# Settings (environment variables):
#   AMPLIFYBACKEND_TEST_POSTGRES   DSN of the database (default: what .ci/postgres.sh prints)
#   BENCH_DURATION=10s   each measurement (after a 2s warm-up)
#   BENCH_CONNS=32       connections in all, split over the two wrk processes
#   BENCH_MIXES="reads mixed"
#   BENCH_PORT=4690      the replicas listen on BENCH_PORT and BENCH_PORT+1
#   BENCH_OUT=bench/replicas/out   the binary, the replicas' logs, results.txt
#   BENCH_LOG_LEVEL=warn the replicas' --log-level (info logs every request, at a cost)
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}

DUR=${BENCH_DURATION:-10s}
SECS=${DUR%s}
[[ $SECS =~ ^[0-9]+$ ]] && [ "$SECS" -ge 3 ] || { echo "BENCH_DURATION must be whole seconds, at least 3s (e.g. 10s)" >&2; exit 2; }
CONNS=${BENCH_CONNS:-32}
MIXES=${BENCH_MIXES:-"reads mixed"}
PORT=${BENCH_PORT:-4690}
OUT=${BENCH_OUT:-bench/replicas/out}
LUA=bench/replicas/replicas.lua
HALF=$((CONNS / 2))
[ "$HALF" -ge 1 ] || { echo "BENCH_CONNS must be at least 2" >&2; exit 2; }

say() { printf '=== %s\n' "$*" >&2; }

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v jq >/dev/null || missing+=(jq)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

DSN=${AMPLIFYBACKEND_TEST_POSTGRES:-$(.ci/postgres.sh)}
SCHEMA=bench_replicas_$$_$RANDOM
case $DSN in
*\?*) STORE="$DSN&search_path=$SCHEMA" ;;
*) STORE="$DSN?search_path=$SCHEMA" ;;
esac

mkdir -p "$OUT"
say "build"
go build -o "$OUT/amplifybackendd" ./cmd/amplifybackendd

declare -A PIDS=()
cleanup() {
	for i in "${!PIDS[@]}"; do
		kill "${PIDS[$i]}" 2>/dev/null || true
		wait "${PIDS[$i]}" 2>/dev/null || true
	done
	psql -w -X -q -d "$DSN" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
}
trap cleanup EXIT
psql -w -X -q -d "$DSN" -c "CREATE SCHEMA $SCHEMA" >/dev/null

url() { echo "http://127.0.0.1:$((PORT + $1))"; }

# start N: starts replica N (port BENCH_PORT+N) and waits for /healthz.
start() {
	"$OUT/amplifybackendd" --addr "127.0.0.1:$((PORT + $1))" --store "$STORE" \
		--log-level "${BENCH_LOG_LEVEL:-warn}" --log-format json 2>>"$OUT/replica$1.log" &
	PIDS[$1]=$!
	local i
	for ((i = 0; i < 300; i++)); do
		curl -fs "$(url "$1")/healthz" >/dev/null 2>&1 && return
		kill -0 "${PIDS[$1]}" 2>/dev/null || { echo "replica $1 exited; see $OUT/replica$1.log" >&2; exit 1; }
		sleep 0.1
	done
	echo "replica $1 did not answer /healthz within 30s" >&2
	exit 1
}

# stop N: stops replica N (SIGTERM: it finishes in-flight requests).
stop() {
	kill "${PIDS[$1]}"
	wait "${PIDS[$1]}" || true
	unset "PIDS[$1]"
}

# Requests carry a SigV4 Authorization header as aws-sdk-go sends it; auth mode any reads
# only its credential scope: account 123456789012 (replicas.lua sends the same).
AUTH="AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=b7b75165fc66befbd1680b947e6a2c9b5bb0af60114835cc582d0f8bc6d57f42"

# call METHOD PATH [BODY]: one request through replica 0; prints the response body.
call() {
	curl -fsS -X "$1" -H 'Content-Type: application/json' -H "Authorization: $AUTH" --data "${3:-}" "$(url 0)$2"
}

# settle: waits until no job is pending, so that one run's backlog does not load the next.
settle() {
	local n i
	for ((i = 0; i < 600; i++)); do
		# psql takes no search_path in a URL, as pgx does: name the schema.
		n=$(psql -w -X -Atq -d "$DSN" -c "SELECT count(*) FROM $SCHEMA.jobs WHERE pending")
		[ "$n" = 0 ] && return
		sleep 0.1
	done
	echo "jobs still pending after 60s" >&2
	exit 1
}

: >"$OUT/replica0.log"
: >"$OUT/replica1.log"
start 0

say "seed: app benchapp, environment prod and 20 clones of it (the jobs GetBackendJob reads); 32 apps for CreateToken"
JOBS=$OUT/jobs.txt
: >"$JOBS"
# wait_job ENV ID [APP]: waits until the job completed.
wait_job() {
	local i
	for ((i = 0; i < 100; i++)); do
		case $(call GET "/backend/${3:-benchapp}/job/$1/$2" | jq -r .status) in
		COMPLETED) return ;;
		FAILED) echo "seed job $2 failed" >&2; exit 1 ;;
		esac
		sleep 0.05
	done
	echo "seed job $2 did not complete" >&2
	exit 1
}
id=$(call POST /backend '{"appId":"benchapp","appName":"benchapp","backendEnvironmentName":"prod"}' | jq -r .jobId)
wait_job prod "$id"
echo "benchapp prod $id" >>"$JOBS"
for i in $(seq -w 1 20); do
	id=$(call POST /backend/benchapp/environments/prod/clone "{\"targetEnvironmentName\":\"c$i\"}" | jq -r .jobId)
	wait_job prod "$id"
	echo "benchapp prod $id" >>"$JOBS"
done
APPS=$OUT/apps.txt
: >"$APPS"
for i in $(seq -w 1 32); do
	id=$(call POST /backend "{\"appId\":\"tokens$i\",\"appName\":\"tokens$i\",\"backendEnvironmentName\":\"dev\"}" | jq -r .jobId)
	wait_job dev "$id" "tokens$i"
	echo "tokens$i" >>"$APPS"
done

# cpu_total: busy and all jiffies of the machine.
cpu_total() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# ticks FILE PID...: writes "pid jiffies" (utime+stime) of the processes that still exist.
ticks() {
	local file=$1 p
	shift
	: >"$file"
	for p in "$@"; do
		awk -v p="$p" '{print p, $14+$15}' "/proc/$p/stat" 2>/dev/null >>"$file" || true
	done
}
# spent BEFORE AFTER: jiffies the processes of AFTER used since BEFORE (a process started
# since counts from 0; one that ended since is not counted).
spent() { awk 'NR==FNR {b[$1]=$2; next} {t += $2 - b[$1]} END {print t+0}' "$1" "$2"; }
pg_pids() { pgrep -x postgres || true; }

# measure MIX N: drives the mix through N replicas (two wrk processes: both at
# replica 0 when N=1, one at each when N=2); prints "rps p50_us p99_us errors busy% ours% pg%".
measure() {
	local mix=$1 n=$2 reads tokens
	case $mix in
	reads) reads=100 tokens=0 ;;
	mixed) reads=80 tokens=10 ;;
	*) echo "unknown mix $mix" >&2; exit 2 ;;
	esac
	local second=0
	[ "$n" = 2 ] && second=1
	run_wrk() { # run_wrk DURATION TAG: both wrk processes, in parallel
		local tag=$2
		REPLICAS_JOBS=$JOBS REPLICAS_APPS=$APPS REPLICAS_READS=$reads REPLICAS_TOKENS=$tokens REPLICAS_PREFIX="$tag-a" \
			wrk -t1 -c"$HALF" -d"$1" -s "$LUA" "$(url 0)" >"$OUT/wrk-$tag-a.out" 2>&1 &
		local a=$!
		REPLICAS_JOBS=$JOBS REPLICAS_APPS=$APPS REPLICAS_READS=$reads REPLICAS_TOKENS=$tokens REPLICAS_PREFIX="$tag-b" \
			wrk -t1 -c"$HALF" -d"$1" -s "$LUA" "$(url $second)" >"$OUT/wrk-$tag-b.out" 2>&1 &
		local b=$!
		wait $a $b
	}
	run_wrk 2s "$mix$n-warm"
	settle
	# CPU is sampled inside the run, from 0.5s after its start to 0.5s before its end: when
	# wrk closes its connections, requests in flight are cancelled and the replicas drop the
	# database connections they were using, whose backends (and their CPU time) go with them.
	run_wrk "$DUR" "$mix$n" &
	local run=$! ours=(${PIDS[@]}) before_total after_total
	sleep 0.5
	before_total=$(cpu_total)
	ticks "$OUT/ours.before" "${ours[@]}"
	ticks "$OUT/pg.before" $(pg_pids)
	sleep $((SECS - 1))
	after_total=$(cpu_total)
	ticks "$OUT/ours.after" "${ours[@]}"
	ticks "$OUT/pg.after" $(pg_pids)
	wait $run
	settle
	local busy all
	busy=$(($(echo "$after_total" | cut -d' ' -f1) - $(echo "$before_total" | cut -d' ' -f1)))
	all=$(($(echo "$after_total" | cut -d' ' -f2) - $(echo "$before_total" | cut -d' ' -f2)))
	local -a ja jb
	ja=($(sed -n 's/^WRKJSON //p' "$OUT/wrk-$mix$n-a.out" | jq -r '[.rps, .p50_us, .p99_us, .errors_connect+.errors_read+.errors_write+.errors_status+.errors_timeout] | @tsv'))
	jb=($(sed -n 's/^WRKJSON //p' "$OUT/wrk-$mix$n-b.out" | jq -r '[.rps, .p50_us, .p99_us, .errors_connect+.errors_read+.errors_write+.errors_status+.errors_timeout] | @tsv'))
	[ ${#ja[@]} = 4 ] && [ ${#jb[@]} = 4 ] || { echo "wrk failed: see $OUT/wrk-$mix$n-*.out" >&2; exit 1; }
	awk -v ra="${ja[0]}" -v rb="${jb[0]}" -v pa="${ja[1]}" -v pb="${jb[1]}" -v qa="${ja[2]}" -v qb="${jb[2]}" \
		-v e=$((ja[3] + jb[3])) -v busy="$busy" -v all="$all" -v ours="$(spent "$OUT/ours.before" "$OUT/ours.after")" \
		-v pg="$(spent "$OUT/pg.before" "$OUT/pg.after")" 'BEGIN {
		# CPU as a share of the whole machine (100% = every core busy).
		printf "%.0f %.0f %.0f %d %.0f %.0f %.0f\n", ra + rb, (pa > pb ? pa : pb), (qa > qb ? qa : qb), e,
			100 * busy / all, 100 * ours / all, 100 * pg / all }'
}

RESULTS=$OUT/results.txt
{
	echo "# bench/replicas.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "# $CONNS connections (2 wrk processes x $HALF), $DUR per measurement, PostgreSQL on the same machine"
	printf '%-6s %8s %9s %9s %9s %7s %10s %11s %13s\n' mix replicas "req/s" "p50(ms)" "p99(ms)" errors "cpu busy" "replicas" "postgres"
} | tee "$RESULTS"
for mix in $MIXES; do
	declare -A RPS=()
	for n in 1 2; do
		[ "$n" = 2 ] && start 1
		say "$mix, $n replica(s), $DUR"
		measure "$mix" "$n" >"$OUT/measure.txt"
		read -r rps p50 p99 errors busy ours pg <"$OUT/measure.txt"
		RPS[$n]=$rps
		awk -v m="$mix" -v n="$n" -v rps="$rps" -v p50="$p50" -v p99="$p99" -v e="$errors" -v busy="$busy" -v ours="$ours" -v pg="$pg" \
			'BEGIN { printf "%-6s %8s %9s %9.1f %9.1f %7s %9s%% %10s%% %12s%%\n", m, n, rps, p50 / 1000, p99 / 1000, e, busy, ours, pg }' | tee -a "$RESULTS"
		[ "$n" = 2 ] && stop 1
	done
	awk -v a="${RPS[1]}" -v b="${RPS[2]}" -v m="$mix" 'BEGIN { printf "%-6s 2 replicas / 1 replica: %.2fx\n", m, b / a }' | tee -a "$RESULTS"
	unset RPS
done
echo "(results in $RESULTS)" >&2
