#!/usr/bin/env bash
# bench/run.sh: the performance benchmarks of amplifybackendd, against its yardsticks, in one
# run on one machine. It prints every goal as a figure or ratio with PASS/FAIL and the exact
# command behind it, writes the raw results to bench/out/ (results.json, raw/*), renders the
# plots and, unless told not to, refreshes the figures in docs/benchmarks.md and the plots
# docs/benchmarks-*.png. See docs/benchmarks.md for what is measured and how.
#
# Settings (environment variables):
#   BENCH_QUICK=1            a short run (2s runs, up to 100,000 jobs; docs left alone)
#   BENCH_DURATION=10s       each main measurement (moto, sigv4, half-peak latency)
#   BENCH_WRITE_DURATION=60s the write runs (the issue's "no growing backlog over a 60 s run")
#   BENCH_WRITE_ROUND_DURATION=10s  each of the alternating rounds of ours and the baseline
#                            whose median is the durable-writes ratio
#   BENCH_ROUNDS=3           every closed-loop ratio against a yardstick (reads any and sigv4 vs
#   BENCH_ROUND_DURATION=5s    bare, log on vs off) is the median of this many alternating rounds,
#                              each this long (the open-loop p99: BENCH_HALFPEAK_ROUNDS)
#   BENCH_SWEEP_DURATION=5s  the other points of the throughput-vs-concurrency sweep
#   BENCH_SCALE_DURATION=5s  each latency measurement at each table size
#   BENCH_SCALES="1000 10000 100000 1000000"   table sizes (jobs in one environment)
#   BENCH_MICRO_TIME=1s      -benchtime of the Go micro-benchmarks
#   BENCH_DRAIN_MAX=30s      after the writes, how long to wait for the job backlog to drain
#   BENCH_ONLY="micro reads sigv4 writes scale"   the parts to run (default: all)
#   BENCH_UPDATE_DOCS=1      rewrite the results section of docs/benchmarks.md and the plots
#   BENCH_OUT=bench/out      where results and scratch data go
#   BENCH_HALFPEAK_ROUNDS=9  the open-loop p99 ratio is the median of this many pairs of rounds
#   BENCH_HALFPEAK_DURATION=4s   each round of the pairs (ours and bare take turns going first)
#   BENCH_STALLS_DURATION=5s how long bench/stalls watches the machine, at the start and at the end
#   BENCH_HALFPEAK_CONNS=32  connections of the open-loop half-peak latency run (at most that many in flight)
#   BENCH_PORT=4680          first of the four loopback ports used (ours, bare, moto, ours with the log off)
#   BENCH_COMPARE=FILE       after the report, compare the run's ratios with the recorded ones
#                            (bench/recorded.json): warn 20% below, fail (exit 1) 50% below
#   BENCH_RECORD=FILE        write the run's ratios to FILE, as the new recorded ones
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS=${GOFLAGS:--buildvcs=false}

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	DUR=${BENCH_DURATION:-2s}
	WRITE_DUR=${BENCH_WRITE_DURATION:-5s}
	WRITE_ROUND_DUR=${BENCH_WRITE_ROUND_DURATION:-3s}
	SWEEP_DUR=${BENCH_SWEEP_DURATION:-1s}
	SCALE_DUR=${BENCH_SCALE_DURATION:-2s}
	SCALES=${BENCH_SCALES:-"1000 10000 100000"}
	MICRO_TIME=${BENCH_MICRO_TIME:-200ms}
	DRAIN_MAX=${BENCH_DRAIN_MAX:-5s}
	ROUND_DUR=${BENCH_ROUND_DURATION:-1s}
	HALFPEAK_DUR=${BENCH_HALFPEAK_DURATION:-1s}
	HALFPEAK_ROUNDS=${BENCH_HALFPEAK_ROUNDS:-5}
	STALLS_DUR=${BENCH_STALLS_DURATION:-2s}
	UPDATE_DOCS=${BENCH_UPDATE_DOCS:-0}
else
	DUR=${BENCH_DURATION:-10s}
	WRITE_DUR=${BENCH_WRITE_DURATION:-60s}
	WRITE_ROUND_DUR=${BENCH_WRITE_ROUND_DURATION:-10s}
	SWEEP_DUR=${BENCH_SWEEP_DURATION:-5s}
	SCALE_DUR=${BENCH_SCALE_DURATION:-5s}
	SCALES=${BENCH_SCALES:-"1000 10000 100000 1000000"}
	MICRO_TIME=${BENCH_MICRO_TIME:-1s}
	DRAIN_MAX=${BENCH_DRAIN_MAX:-30s}
	ROUND_DUR=${BENCH_ROUND_DURATION:-5s}
	HALFPEAK_DUR=${BENCH_HALFPEAK_DURATION:-4s}
	HALFPEAK_ROUNDS=${BENCH_HALFPEAK_ROUNDS:-9}
	STALLS_DUR=${BENCH_STALLS_DURATION:-5s}
	UPDATE_DOCS=${BENCH_UPDATE_DOCS:-1}
fi
ROUNDS=${BENCH_ROUNDS:-3}
ONLY=${BENCH_ONLY:-"micro reads sigv4 writes scale"}
OUT=${BENCH_OUT:-bench/out}
PORT=${BENCH_PORT:-4680}
OURS_PORT=$PORT
BARE_PORT=$((PORT + 1))
MOTO_PORT=$((PORT + 2))
NOLOG_PORT=$((PORT + 3))
CONCURRENCY="1 4 16 32 64"
HALFPEAK_CONNS=${BENCH_HALFPEAK_CONNS:-32}
ACCOUNT=123456789012
APP=benchapp
ENV=prod

BIN=$OUT/bin
RAW=$OUT/raw
DATA=$OUT/data
STARTED=$(date +%s)

say() { printf '\n=== [%4ds] %s\n' $(($(date +%s) - STARTED)) "$*"; }
has() { case " $ONLY " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --- tools ---------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	say "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
MOTO=$(command -v moto_server || true)

rm -rf "$RAW" "$DATA"
mkdir -p "$BIN" "$RAW" "$DATA"
# Other work on the machine skews every figure: the load average is kept with the results.
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)

say "build"
go build -o "$BIN/amplifybackendd" ./cmd/amplifybackendd
for tool in bare sign sqlitebase seed load report stalls; do
	go build -o "$BIN/$tool" "./bench/$tool"
done

# --- processes -----------------------------------------------------------------------------
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
}
trap cleanup EXIT

# stop PID: SIGTERM, then wait for it to exit.
stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# start_ours NAME DATADIR [FLAGS...]: starts amplifybackendd on OURS_PORT (access log to
# /dev/null: the log lines are formatted, as in production, but cost no disk), sets OURS_PID
# and writes the time to /healthz 200 as raw/startup_NAME.json.
start_ours() {
	local name=$1 dir=$2 port=${AT_PORT:-$OURS_PORT}
	shift 2
	local since
	since=$(date +%s%N)
	"$BIN/amplifybackendd" --addr "127.0.0.1:$port" --data-dir "$dir" "$@" 2>/dev/null &
	OURS_PID=$!
	PIDS+=("$OURS_PID")
	if ! "$BIN/load" -mode healthz -url "http://127.0.0.1:$port" -since "$since" -pid "$OURS_PID" >"$RAW/startup_$name.json"; then
		echo "amplifybackendd did not start: $BIN/amplifybackendd --addr 127.0.0.1:$port --data-dir $dir $*" >&2
		return 1
	fi
	echo "$BIN/amplifybackendd --addr 127.0.0.1:$port --data-dir $dir $*  (then poll /healthz)" >"$RAW/startup_$name.cmd"
}

# completed_job PORT: creates a backend on the server at PORT, waits for its job to complete,
# leaves the job's GetBackendJob body in $OUT/job-body-PORT.json and sets JOB_PATH.
completed_job() {
	local port=$1 created
	created=$(curl -sf -X POST "http://127.0.0.1:$port/backend" -H "Authorization: $ANY_AUTH" \
		-H 'Content-Type: application/json' -d "{\"appId\":\"$APP\",\"appName\":\"$APP\",\"backendEnvironmentName\":\"$ENV\"}")
	JOB_ID=$(printf '%s' "$created" | sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p')
	JOB_PATH=/backend/$APP/job/$ENV/$JOB_ID
	for _ in $(seq 100); do
		curl -sf -D "$OUT/job-headers-$port.txt" "http://127.0.0.1:$port$JOB_PATH" -H "Authorization: $ANY_AUTH" >"$OUT/job-body-$port.json" || true
		grep -q COMPLETED "$OUT/job-body-$port.json" && return 0
		sleep 0.05
	done
	echo "the CreateBackend job did not complete on port $port" >&2
	return 1
}

# median_round PREFIX...: for each NAME in PREFIX..., copies the raw files of the round whose
# rps is the median of NAME_r1..NAME_rN to NAME (so that single-run figures show the median).
median_round() {
	local who mid ext
	for who in "$@"; do
		mid=$(for i in $(seq "$ROUNDS"); do echo "$(json_num "$RAW/${who}_r$i.json" rps) $i"; done |
			sort -n | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2) { print $2 }')
		[ -n "$mid" ] || continue
		for ext in json cmd out; do cp "$RAW/${who}_r$mid.$ext" "$RAW/${who}.$ext" 2>/dev/null || true; done
		cp "$RAW/${who}_r${mid}_cpu.json" "$RAW/${who}_cpu.json" 2>/dev/null || true
	done
}

# quote ARGS...: the command line as one could paste it into a shell.
quote() {
	local out= a
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then
			out+="$a "
		else
			out+="'${a//\'/\'\\\'\'}' "
		fi
	done
	printf '%s\n' "${out% }"
}

# record NAME COMMAND...: runs a measurement, keeps its output (raw/NAME.out), its JSON line
# (raw/NAME.json) and its command line (raw/NAME.cmd).
record() {
	local name=$1
	shift
	quote "$@" >"$RAW/$name.cmd"
	# Every measurement is bounded: a stalled one must not hold the whole run.
	if ! timeout --kill-after=10s "${BENCH_CMD_TIMEOUT:-600}" "$@" >"$RAW/$name.out" 2>&1; then
		echo "FAILED: $*" >&2
		tail -5 "$RAW/$name.out" >&2
		return 0
	fi
	{ grep -E '^(WRKJSON )?\{' "$RAW/$name.out" || true; } | tail -1 | sed 's/^WRKJSON //' >"$RAW/$name.json"
	[ -s "$RAW/$name.json" ] && printf '  %-28s %s\n' "$name" "$(head -c 300 "$RAW/$name.json")"
	return 0
}

# cpu_seconds PID: the CPU time (user + system) the process has used so far.
cpu_seconds() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ printf "%.2f", ($12 + $13) / 100 }'
}

# bench_wrk NAME URL CONNS DURATION HEADERFILE [SERVER_PID]: one wrk run; with
# SERVER_PID, the server's CPU time during the run goes to raw/NAME_cpu.json.
bench_wrk() {
	local name=$1 url=$2 conns=$3 dur=$4 headers=$5 pid=${6:-} before=
	[ -z "$pid" ] || before=$(cpu_seconds "$pid")
	record "$name" env WRK_HEADERS="$headers" \
		wrk -t1 -c"$conns" -d"$dur" --latency -s bench/wrk/bench.lua "$url"
	if [ -n "$pid" ] && [ -n "$before" ]; then
		printf '{"cpu_seconds":%s}\n' "$(awk -v a="$before" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')" >"$RAW/${name}_cpu.json"
	fi
}

json_num() { # json_num FILE KEY: the first number after "KEY":
	sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" "$1" | head -1
}

# Any-mode requests carry a SigV4 header as aws-sdk-go sends it (signed with a made-up secret:
# mode any reads only the credential scope).
ANY_AUTH="AWS4-HMAC-SHA256 Credential=$ACCOUNT/$(date -u +%Y%m%d)/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=b7b75165fc66befbd1680b947e6a2c9b5bb0af60114835cc582d0f8bc6d57f42"

# How often the machine takes a CPU away from a running thread, before and after the run: the
# floor under the tail latencies below (bench/stalls; it keeps every CPU busy while it runs).
say "stalls of the machine ($STALLS_DUR, one busy thread pinned to each CPU)"
record stalls_start "$BIN/stalls" -duration "$STALLS_DUR"

# --- micro-benchmarks ----------------------------------------------------------------------
if has micro; then
	say "Go micro-benchmarks (-benchtime $MICRO_TIME)"
	for pkg in httpapi logging sigv4 api sqlite control; do
		record "micro_$pkg" go test -run '^$' -bench . -benchmem -benchtime "$MICRO_TIME" -count 1 -timeout 5m "./internal/$pkg"
		grep -E '^Benchmark' "$RAW/micro_$pkg.out" || echo "  (no results: does ./internal/$pkg compile?)"
	done
	say "profiles of the micro-benchmarks"
	for prof in "GetBackendJob/log=info get" "CreateBackend/parallel=64 create"; do
		set -- $prof
		if go test -run '^$' -bench "^Benchmark$1\$" -benchmem -benchtime "$MICRO_TIME" -count 1 -timeout 5m \
			-cpuprofile "$OUT/$2.cpu.prof" -memprofile "$OUT/$2.mem.prof" -o "$BIN/httpapi.test" ./internal/httpapi >"$RAW/prof_$2.out" 2>&1; then
			go tool pprof -top -nodecount=40 "$BIN/httpapi.test" "$OUT/$2.cpu.prof" >"$OUT/pprof-$2-cpu.txt" 2>/dev/null
			go tool pprof -top -cum -nodecount=60 "$BIN/httpapi.test" "$OUT/$2.cpu.prof" >"$OUT/pprof-$2-cpu-cum.txt" 2>/dev/null
			go tool pprof -sample_index=alloc_space -top -nodecount=30 "$BIN/httpapi.test" "$OUT/$2.mem.prof" >"$OUT/pprof-$2-alloc.txt" 2>/dev/null
			go tool pprof -sample_index=alloc_objects -top -nodecount=30 "$BIN/httpapi.test" "$OUT/$2.mem.prof" >"$OUT/pprof-$2-allocs.txt" 2>/dev/null
			echo "  $OUT/pprof-$2-{cpu,cpu-cum,alloc,allocs}.txt"
		else
			echo "  profile of $1 failed: see $RAW/prof_$2.out"
		fi
	done
fi

# --- reads: GetBackendJob vs bare net/http vs moto -----------------------------------------
if has reads || has sigv4; then
	say "reads: set up"
	RDIR=$DATA/reads
	# The same server with the access log off (--log-level warn), on a store of its own, for
	# the log's cost: its job has another id, and a body of the same length.
	AT_PORT=$NOLOG_PORT start_ours reads_nolog "$DATA/reads-nolog" --job-duration 0s --log-level warn
	NOLOG_PID=$OURS_PID
	completed_job "$NOLOG_PORT" || exit 1
	NOLOG_URL=http://127.0.0.1:$NOLOG_PORT$JOB_PATH
	start_ours reads "$RDIR" --job-duration 0s
	completed_job "$OURS_PORT" || exit 1
	cp "$OUT/job-body-$OURS_PORT.json" "$OUT/job-body.json"
	echo "  job $JOB_ID: $(wc -c <"$OUT/job-body.json") bytes: $(cat "$OUT/job-body.json")"
	OURS_URL=http://127.0.0.1:$OURS_PORT$JOB_PATH
	BARE_URL=http://127.0.0.1:$BARE_PORT$JOB_PATH
	"$BIN/sign" -url "$OURS_URL" -access-key "$ACCOUNT" >"$OUT/headers-ours.txt"
	"$BIN/sign" -url "$BARE_URL" -access-key "$ACCOUNT" >"$OUT/headers-bare.txt"
	"$BIN/sign" -url "$NOLOG_URL" -access-key "$ACCOUNT" >"$OUT/headers-nolog.txt"

	# The same response headers as ours: the request id (a fixed one, of the same length).
	REQUEST_ID=$(tr -d '\r' <"$OUT/job-headers-$OURS_PORT.txt" | sed -n 's/^[Xx]-[Aa]mzn-[Rr]equest[Ii]d: *//p' | head -1)
	[ -n "$REQUEST_ID" ] || { echo "no x-amzn-RequestId in our response: $OUT/job-headers-$OURS_PORT.txt" >&2; exit 1; }
	"$BIN/bare" -addr "127.0.0.1:$BARE_PORT" -body "$OUT/job-body.json" -header "X-Amzn-Requestid: $REQUEST_ID" 2>/dev/null &
	BARE_PID=$!
	PIDS+=("$BARE_PID")
	"$BIN/load" -mode healthz -url "http://127.0.0.1:$BARE_PORT" -since "$(date +%s%N)" >/dev/null

	MOTO_URL=
	if [ -n "$MOTO" ] && has reads; then
		"$MOTO" -H 127.0.0.1 -p "$MOTO_PORT" >"$OUT/moto.log" 2>&1 &
		MOTO_PID=$!
		PIDS+=("$MOTO_PID")
		MOTO_AUTH="AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/$(date -u +%Y%m%d)/us-east-1/appsync/aws4_request, SignedHeaders=host;x-amz-date, Signature=0"
		for _ in $(seq 100); do
			curl -s -o /dev/null "http://127.0.0.1:$MOTO_PORT/" && break
			sleep 0.1
		done
		API_ID=$(curl -s -X POST "http://127.0.0.1:$MOTO_PORT/v1/apis" -H "Authorization: $MOTO_AUTH" \
			-H 'Content-Type: application/json' -d '{"name":"bench","authenticationType":"API_KEY"}' |
			sed -n 's/.*"apiId": *"\([^"]*\)".*/\1/p')
		if [ -n "$API_ID" ]; then
			MOTO_URL=http://127.0.0.1:$MOTO_PORT/v1/apis/$API_ID
			"$BIN/sign" -url "$MOTO_URL" -service appsync -access-key AKIDEXAMPLE >"$OUT/headers-moto.txt"
		else
			echo "  moto_server: could not create a GraphQL API; moto is left out" >&2
		fi
	else
		[ -n "$MOTO" ] || echo "  moto_server is not installed; moto is left out" >&2
	fi
fi

if has reads; then
	say "reads: throughput vs concurrency (wrk -t1; c=32: $ROUNDS rounds of log off, ours, bare, $ROUND_DUR each; the others $SWEEP_DUR)"
	for c in $CONCURRENCY; do
		if [ "$c" = 32 ]; then
			# The goals' ratios: alternate rounds, so that a burst of other work on the machine
			# hits one round of one server, not a whole measurement. Ours sits between its two
			# yardsticks: the same server with the access log off, and bare net/http.
			for i in $(seq "$ROUNDS"); do
				bench_wrk "get_nolog_c32_r$i" "$NOLOG_URL" 32 "$ROUND_DUR" "$OUT/headers-nolog.txt" "$NOLOG_PID"
				bench_wrk "get_ours_c32_r$i" "$OURS_URL" 32 "$ROUND_DUR" "$OUT/headers-ours.txt" "$OURS_PID"
				bench_wrk "get_bare_c32_r$i" "$BARE_URL" 32 "$ROUND_DUR" "$OUT/headers-bare.txt" "$BARE_PID"
			done
			# The median round stands for c=32 in the sweep.
			median_round get_ours_c32 get_bare_c32 get_nolog_c32
			[ -z "$MOTO_URL" ] || bench_wrk get_moto_c32 "$MOTO_URL" 32 "$DUR" "$OUT/headers-moto.txt" "$MOTO_PID"
			continue
		fi
		bench_wrk "get_ours_c$c" "$OURS_URL" "$c" "$SWEEP_DUR" "$OUT/headers-ours.txt" "$OURS_PID"
		bench_wrk "get_bare_c$c" "$BARE_URL" "$c" "$SWEEP_DUR" "$OUT/headers-bare.txt" "$BARE_PID"
		[ -z "$MOTO_URL" ] || bench_wrk "get_moto_c$c" "$MOTO_URL" "$c" "$SWEEP_DUR" "$OUT/headers-moto.txt" "$MOTO_PID"
	done

	say "reads: latency at half the peak rate (bench/load -mode rate: open loop, evenly spaced)"
	peak=0
	for c in $CONCURRENCY; do
		r=$(json_num "$RAW/get_ours_c$c.json" rps)
		peak=$(awk -v a="$peak" -v b="${r:-0}" 'BEGIN { print (b > a) ? b : a }')
	done
	target=$(awk -v p="$peak" 'BEGIN { printf "%.0f", p / 2 }')
	printf '{"peak_rps":%s,"target_rps":%s}\n' "$peak" "$target" >"$RAW/halfpeak_meta.json"
	echo "  peak $peak req/s: $target req/s, evenly spaced, latency from each request's intended send time"
	# wrk has no constant-rate mode (wrk2 is not packaged for Debian): bench/load sends on a
	# fixed schedule and measures from the schedule, so a stall counts against every request
	# it delays. The bare yardstick gets the very same schedule right after, round by round.
	# The tail of one round is set by the few stalls of the machine that fall in it (a busy
	# thread here stalls for up to 5 ms a few times in 5 s with nothing else running), so a
	# p99 ratio of one pair swings from 0.8 to 2.3: the figure is the median of many short
	# pairs, and the pairs take turns at going first.
	for i in $(seq "$HALFPEAK_ROUNDS"); do
		order="ours bare"
		[ $((i % 2)) = 0 ] && order="bare ours"
		for who in $order; do
			url=$OURS_URL pid=$OURS_PID
			[ "$who" = bare ] && url=$BARE_URL pid=$BARE_PID
			record "get_${who}_halfpeak_r$i" "$BIN/load" -mode rate -url "$url" -rate "$target" -conns "$HALFPEAK_CONNS" \
				-duration "$HALFPEAK_DUR" -header-file "$OUT/headers-$who.txt" -pid "$pid"
		done
	done
	ROUNDS=$HALFPEAK_ROUNDS median_round get_ours_halfpeak get_bare_halfpeak
	[ -z "${MOTO_PID:-}" ] || stop "$MOTO_PID"
fi
if has reads || has sigv4; then
	stop "$NOLOG_PID"
fi

if has sigv4; then
	say "reads: auth mode sigv4 (a valid signature replayed)"
	stop "$OURS_PID"
	# --help exits with status 2: take its text first (under pipefail, the pipeline's status
	# would be the binary's, and the check would always fail).
	help_text=$("$BIN/amplifybackendd" --help 2>&1 || true)
	if ! grep -qE -- '(^|[[:space:]])--?auth([[:space:]=]|$)' <<<"$help_text"; then
		echo "  SKIP (not built yet): amplifybackendd has no --auth flag"
		echo "not built yet: amplifybackendd has no --auth flag" >"$RAW/get_ours_sigv4_c32.skip"
	else
		AK=AKIABENCHMARK0000001
		SK=benchmarkSecretKey0000000000000000000000
		# The credentials file is in the AWS shared credentials format with aws_account_id
		# (internal/sigv4); BENCH_CREDENTIALS, BENCH_ACCESS_KEY and BENCH_SECRET_KEY replace it.
		if [ -n "${BENCH_CREDENTIALS:-}" ]; then
			creds=$BENCH_CREDENTIALS
			AK=${BENCH_ACCESS_KEY:?BENCH_CREDENTIALS needs BENCH_ACCESS_KEY and BENCH_SECRET_KEY}
			SK=${BENCH_SECRET_KEY:?BENCH_CREDENTIALS needs BENCH_ACCESS_KEY and BENCH_SECRET_KEY}
		else
			creds=$OUT/credentials
			printf '[bench]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_account_id = %s\n' "$AK" "$SK" "$ACCOUNT" >"$creds"
		fi
		code=000
		if start_ours reads_sigv4 "$RDIR" --auth sigv4 --credentials "$creds"; then
			"$BIN/sign" -url "$OURS_URL" -access-key "$AK" -secret-key "$SK" >"$OUT/headers-sigv4.txt"
			hdrs=()
			while IFS= read -r line; do hdrs+=(-H "$line"); done <"$OUT/headers-sigv4.txt"
			code=$(curl -s -o "$OUT/sigv4-check.json" -w '%{http_code}' "${hdrs[@]}" "$OURS_URL" || true)
		fi
		if [ "$code" != 200 ]; then
			echo "  FAIL: a signed GetBackendJob answered $code: $(cat "$OUT/sigv4-check.json" 2>/dev/null)"
			echo "a signed request was refused ($code); see $OUT/sigv4-check.json" >"$RAW/get_ours_sigv4_c32.error"
		else
			for i in $(seq "$ROUNDS"); do
				# Sign right before the run: the server allows 15 minutes of clock skew.
				"$BIN/sign" -url "$OURS_URL" -access-key "$AK" -secret-key "$SK" >"$OUT/headers-sigv4.txt"
				bench_wrk "get_ours_sigv4_c32_r$i" "$OURS_URL" 32 "$ROUND_DUR" "$OUT/headers-sigv4.txt" "$OURS_PID"
				bench_wrk "get_bare_c32_c_r$i" "$BARE_URL" 32 "$ROUND_DUR" "$OUT/headers-bare.txt" "$BARE_PID"
			done
			median_round get_ours_sigv4_c32 get_bare_c32_c
		fi
	fi
fi
if has reads || has sigv4; then
	stop "$OURS_PID"
	stop "$BARE_PID"
fi

# --- writes: CreateBackend vs one-commit-per-insert SQLite ---------------------------------
if has writes; then
	say "writes: CreateBackend from 64 connections, 64 apps, fresh environments ($WRITE_DUR)"
	WDIR=$DATA/writes
	start_ours writes "$WDIR" --job-duration 0s
	record create_ours "$BIN/load" -mode create -url "http://127.0.0.1:$OURS_PORT" -conns 64 -duration "$WRITE_DUR" \
		-db "$WDIR/amplifybackend.db" -drain-max "$DRAIN_MAX" -pid "$OURS_PID" -header "Authorization: $ANY_AUTH"
	stop "$OURS_PID"
	say "writes: baseline, SQLite one commit per insert, synchronous=FULL, 64 goroutines ($WRITE_DUR)"
	record create_baseline "$BIN/sqlitebase" -dir "$DATA/baseline" -workers 64 -duration "$WRITE_DUR"
	# The ratio: alternating rounds of ours (a fresh data directory each) and the baseline,
	# so that the shared disk's swings (the baseline moved from 606 to 3,135 inserts/s within
	# minutes) hit both sides of a round rather than one side of the run.
	say "writes: $ROUNDS alternating rounds of ours and the baseline ($WRITE_ROUND_DUR each), for the ratio"
	for i in $(seq "$ROUNDS"); do
		rm -rf "$WDIR-round" "$DATA/baseline-round"
		start_ours "writes_r$i" "$WDIR-round" --job-duration 0s
		record "create_ours_r$i" "$BIN/load" -mode create -url "http://127.0.0.1:$OURS_PORT" -conns 64 -duration "$WRITE_ROUND_DUR" \
			-pid "$OURS_PID" -header "Authorization: $ANY_AUTH"
		stop "$OURS_PID"
		record "create_baseline_r$i" "$BIN/sqlitebase" -dir "$DATA/baseline-round" -workers 64 -duration "$WRITE_ROUND_DUR"
	done
	rm -rf "$WDIR-round" "$DATA/baseline-round"
	say "writes: the same with the job runner idle (--job-duration 1h: no job is due during the run), for comparison"
	rm -rf "$WDIR"
	start_ours writes_idle_runner "$WDIR" --job-duration 1h
	record create_ours_idle_runner "$BIN/load" -mode create -url "http://127.0.0.1:$OURS_PORT" -conns 64 -duration "$WRITE_DUR" \
		-pid "$OURS_PID" -header "Authorization: $ANY_AUTH"
	stop "$OURS_PID"
fi

# --- scale: 1k .. 1M jobs in one environment -----------------------------------------------
if has scale; then
	SDIR=$DATA/scale
	have=0
	last=${SCALES##* }
	for n in $SCALES; do
		say "scale: $n jobs"
		record "seed_$n" "$BIN/seed" -data-dir "$SDIR" -add $((n - have)) -account "$ACCOUNT" -app "$APP" -env "$ENV"
		have=$n
		# A copy of the smallest table, for the side-by-side rounds at the end.
		[ "$n" = "${SCALES%% *}" ] && rm -rf "$DATA/scale-small" && cp -a "$SDIR" "$DATA/scale-small"
		start_ours "scale_$n" "$SDIR"
		echo "  start-up: $(cat "$RAW/startup_scale_$n.json")"
		record "list_$n" "$BIN/load" -mode list -url "http://127.0.0.1:$OURS_PORT" -app "$APP" -env "$ENV" \
			-duration "$SCALE_DUR" -pid "$OURS_PID" -header "Authorization: $ANY_AUTH"
		# Each job once: no answer comes from the server's cache of recently read jobs.
		record "get_$n" "$BIN/load" -mode get -url "http://127.0.0.1:$OURS_PORT" -app "$APP" -env "$ENV" -conns 1 -once \
			-db "$SDIR/amplifybackend.db" -duration "$SCALE_DUR" -pid "$OURS_PID" -header "Authorization: $ANY_AUTH"
		if [ "$n" = "$last" ]; then
			record "getc32_$n" "$BIN/load" -mode get -url "http://127.0.0.1:$OURS_PORT" -app "$APP" -env "$ENV" -conns 32 \
				-db "$SDIR/amplifybackend.db" -duration "$SCALE_DUR" -pid "$OURS_PID" -header "Authorization: $ANY_AUTH"
		fi
		stop "$OURS_PID"
	done
	# Does the cost of a read by key grow with the jobs stored? Alternate rounds on the smallest
	# and the largest table, each on a freshly started server (nothing in its job cache), each
	# reading the same number of jobs (as many as the smallest table holds, spread over the
	# table), each once: a burst of other work on the machine hits one round, not one size.
	small_n=${SCALES%% *}
	if [ "$small_n" != "$last" ]; then
		say "scale: reads by key, $small_n vs $last jobs, $ROUNDS alternating rounds"
		for i in $(seq "$ROUNDS"); do
			for which in small big; do
				dir=$SDIR
				[ "$which" = small ] && dir=$DATA/scale-small
				start_ours "growth_${which}_r$i" "$dir"
				record "get_growth_${which}_r$i" "$BIN/load" -mode get -url "http://127.0.0.1:$OURS_PORT" -app "$APP" -env "$ENV" \
					-conns 1 -once -sample "$small_n" -db "$dir/amplifybackend.db" -duration "$SCALE_DUR" -pid "$OURS_PID" \
					-header "Authorization: $ANY_AUTH"
				stop "$OURS_PID"
			done
		done
	fi
fi

say "stalls of the machine, again ($STALLS_DUR)"
record stalls_end "$BIN/stalls" -duration "$STALLS_DUR"

# --- report --------------------------------------------------------------------------------
say "report"
docs=()
[ "$UPDATE_DOCS" = 1 ] && docs=(-docs docs/benchmarks.md)
printf '{"rounds":%s,"round_duration":"%s","quick":%s,"duration":"%s","sweep_duration":"%s","scale_duration":"%s","scales":"%s","micro_time":"%s","wrk":"%s","loadavg_start":"%s","loadavg_end":"%s","seconds":%d}\n' \
	"$ROUNDS" "$ROUND_DUR" "$([ "$QUICK" = 1 ] && echo true || echo false)" "$DUR" "$SWEEP_DUR" "$SCALE_DUR" "$SCALES" "$MICRO_TIME" \
	"$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)" "$LOADAVG_START" "$(cut -d' ' -f1-3 /proc/loadavg)" \
	$(($(date +%s) - STARTED)) >"$RAW/settings.json"
[ -z "${BENCH_RECORD:-}" ] || docs+=(-record "$BENCH_RECORD")
"$BIN/report" -out "$OUT" "${docs[@]}"
# The plots need the throughput sweep (reads); gnuplot refuses a plot with no points.
if has reads; then
	gnuplot -e "out='$OUT'" bench/plot.gp
else
	echo "no plots: they need the reads part"
fi
if [ "$UPDATE_DOCS" = 1 ]; then
	if has reads; then
		cp "$OUT/throughput.png" docs/benchmarks-throughput.png
		cp "$OUT/list-latency.png" docs/benchmarks-list-latency.png
	fi
	echo "updated docs/benchmarks.md and, with the reads part, docs/benchmarks-throughput.png and docs/benchmarks-list-latency.png"
fi
say "done: $OUT/results.json"
if [ -n "${BENCH_COMPARE:-}" ]; then
	say "regression guard: this run's ratios against $BENCH_COMPARE"
	"$BIN/report" -out "$OUT" -compare "$BENCH_COMPARE"
fi
