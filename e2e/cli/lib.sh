# Shared by the AWS CLI suites: start amplifybackendd, run the CLI against it, check results.
set -euo pipefail

BIN=${AMPLIFYBACKENDD_BIN:-amplifybackendd}
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
# Nothing from the caller's environment may redirect or reshape the CLI's calls.
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_AMPLIFYBACKEND AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_OUTPUT AWS_REGION \
	AWS_MAX_ATTEMPTS AWS_RETRY_MODE AWS_CA_BUNDLE AMPLIFYBACKEND_URL

# WORK is a scratch directory for request files, the results of the checks and the record of
# the subcommands run; it goes with the server. Results go to files, not variables, so that
# checks in subshells (see parallel) count.
WORK=$(mktemp -d)
RESULTS=$WORK/results     # one line per check: pass or fail
CALLED=$WORK/called       # every subcommand ab ran, one a line
SUCCEEDED=$WORK/succeeded # every subcommand that exited 0
: >"$RESULTS"
: >"$CALLED"
: >"$SUCCEEDED"

pass() { echo pass >>"$RESULTS"; }
fail() {
	echo fail >>"$RESULTS"
	echo "FAIL: $*" >&2
}
count() { grep -c "^$1\$" "$RESULTS" || true; }
SERVER_PID=
DATA_DIR=
LOG=
FINISHED=
# A command that fails outside a check stops the script (set -e): say where, and count it.
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited non-zero" >&2' ERR
trap on_exit EXIT

on_exit() {
	local rc=$?
	if [ -z "$FINISHED" ] && [ "$rc" -ne 0 ]; then
		echo "FAIL: the script stopped early (exit status $rc)" >&2
		echo "$(count pass) passed, $(($(count fail) + 1)) failed (aborted)"
	fi
	stop_server
}

# start_server ARGS...: starts the server on a free port in a fresh data directory; sets
# ENDPOINT.
start_server() {
	DATA_DIR=$(mktemp -d)
	LOG=$DATA_DIR.log
	launch_server "$@"
}

# restart_server ARGS...: stops the server and starts it again on the same data directory
# with ARGS (e.g. another --job-duration); sets ENDPOINT.
restart_server() {
	halt_server
	launch_server "$@"
}

launch_server() {
	"$BIN" --addr 127.0.0.1:0 --data-dir "$DATA_DIR" --log-format json "$@" 2>"$LOG" &
	SERVER_PID=$!
	for _ in $(seq 1 300); do
		# Line by line, skipping what does not parse: the log may end in a line still being
		# written, on which plain jq fails, and set -e with pipefail ended the script.
		addr=$(jq -R -r 'fromjson? | select(.msg == "amplifybackendd listening") | .addr' "$LOG" | head -n1)
		if [ -n "$addr" ]; then
			ENDPOINT=http://$addr
			return
		fi
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "server did not start:" >&2
	cat "$LOG" >&2
	exit 1
}

# stop_server: stops the server (halt_server) and removes its data and the scratch files.
stop_server() {
	halt_server
	rm -rf "$WORK" ${DATA_DIR:+"$DATA_DIR"} ${LOG:+"$LOG"}
}

# halt_server: SIGTERM, then SIGKILL if the server has not stopped after 10 s.
halt_server() {
	if [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; then
		for _ in $(seq 1 100); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "FAIL: the server ignored SIGTERM for 10 s; killing it" >&2
			kill -9 "$SERVER_PID" 2>/dev/null || true
		fi
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	SERVER_PID=
}

# ab SUBCOMMAND ARGS...: aws amplifybackend against the server, JSON output. Records the
# subcommand (and whether it exited 0) for check_coverage.
ab() {
	printf '%s\n' "$1" >>"$CALLED"
	local rc=0
	aws amplifybackend --endpoint-url "$ENDPOINT" --output json "$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		printf '%s\n' "$1" >>"$SUCCEEDED"
	fi
	return "$rc"
}

# check NAME JQ_EXPR JSON: passes when the jq expression is true of the JSON.
check() {
	if [ "$(printf '%s' "$3" | jq -r "$2")" = "true" ]; then
		pass
	else
		fail "$1: $2 on $3"
	fi
}

# check_eq NAME GOT WANT: passes when the two strings are equal.
check_eq() {
	if [ "$2" = "$3" ]; then
		pass
	else
		fail "$1: got $(printf '%q' "$2"), want $(printf '%q' "$3")"
	fi
}

# expect_error NAME CODE CMD...: passes when the CLI exits non-zero naming the error code.
expect_error() {
	local name=$1 code=$2
	shift 2
	local out
	if out=$("$@" 2>&1); then
		fail "$name: succeeded; want $code"
	elif printf '%s' "$out" | grep -q "($code)"; then
		pass
	else
		fail "$name: want $code, got: $out"
	fi
}

# expect_error_msg NAME CODE FRAGMENT CMD...: as expect_error, and the message contains FRAGMENT.
expect_error_msg() {
	local name=$1 code=$2 fragment=$3
	shift 3
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$name: succeeded; want $code"
	elif [ "$rc" -ne 254 ] && [ "$rc" -ne 255 ]; then
		fail "$name: exit status $rc; want 255 (CLI v1) or 254 (CLI v2), a service error: $out"
	elif ! printf '%s' "$out" | grep -qF "($code)"; then
		fail "$name: want $code, got: $out"
	elif ! printf '%s' "$out" | grep -qF -- "$fragment"; then
		fail "$name: message lacks $(printf '%q' "$fragment"): $out"
	else
		pass
	fi
}

# expect_error_exact NAME CODE OPERATION MESSAGE CMD...: passes when the CLI exits with a
# service error's status (255 for CLI v1, 254 for v2) and prints exactly the CLI's line for
# CODE from OPERATION with MESSAGE.
expect_error_exact() {
	local name=$1 code=$2 op=$3 msg=$4
	shift 4
	local out rc=0 want
	out=$("$@" 2>&1) || rc=$?
	want="An error occurred ($code) when calling the $op operation: $msg"
	if [ "$rc" -ne 254 ] && [ "$rc" -ne 255 ]; then
		fail "$name: exit status $rc; want 255 (CLI v1) or 254 (CLI v2): $out"
	elif [ "$(printf '%s\n' "$out" | sed '/^$/d')" != "$want" ]; then
		fail "$name: got $(printf '%q' "$out"), want $(printf '%q' "$want")"
	else
		pass
	fi
}

# wait_job APP ENV JOB: polls until the job ends; prints it.
wait_job() {
	local job
	for _ in $(seq 1 200); do
		job=$(ab get-backend-job --app-id "$1" --backend-environment-name "$2" --job-id "$3")
		case $(printf '%s' "$job" | jq -r .Status) in
		COMPLETED | FAILED)
			printf '%s' "$job"
			return
			;;
		esac
		sleep 0.05
	done
	echo "job $3 did not finish" >&2
	return 1
}

# completes NAME APP ENV SUBMITTED_JSON: passes when the job of a job-creating answer completes.
completes() {
	local job
	check "$1 answers IN_PROGRESS" '.Status == "IN_PROGRESS" and (.JobId | test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))' "$4"
	job=$(wait_job "$2" "$3" "$(printf '%s' "$4" | jq -r .JobId)")
	check "$1 job completes" '.Status == "COMPLETED" and (.Error == null) and (.CreateTime | test("^[0-9]{13}$"))' "$job"
}

# snippet NAME: prints the fenced block after <!-- snippet: NAME --> in docs/clients.md.
# snippet NAME URL: the fenced block after <!-- snippet: NAME --> in docs/clients.md, with the
# README's server (http://127.0.0.1:4580, which the docs call) replaced by URL.
snippet() {
	awk -v marker="<!-- snippet: $1 -->" -v url="$2" '
		$0 == marker { found = 1; next }
		found && !open && /^```/ { open = 1; next }
		open && /^```/ { exit }
		open { gsub(/http:\/\/127\.0\.0\.1:4580/, url); print }
	' "$(dirname "${BASH_SOURCE[0]}")/../../docs/clients.md"
}

# subcommands: every subcommand of `aws amplifybackend`, one a line, sorted, from the CLI's
# own help; fails unless it agrees with botocore's service model.
subcommands() {
	local from_help from_model
	from_help=$(aws amplifybackend help 2>/dev/null | sed 's/.\x08//g' |
		awk '/^AVAILABLE COMMANDS/ { f = 1; next } /^[A-Z]/ { f = 0 } f && $1 == "o" && $2 != "help" { print $2 }' | sort)
	from_model=$(python3 -c 'import botocore, botocore.session
m = botocore.session.get_session().get_service_model("amplifybackend")
print("\n".join(botocore.xform_name(o, "-") for o in m.operation_names))' | sort)
	if [ "$from_help" != "$from_model" ] || [ -z "$from_model" ]; then
		echo "FAIL: aws amplifybackend help and the service model disagree:" >&2
		diff <(printf '%s\n' "$from_help") <(printf '%s\n' "$from_model") >&2 || true
		return 1
	fi
	printf '%s\n' "$from_model"
}

# check_coverage: passes when every subcommand was run through ab, and exited 0 at least once.
check_coverage() {
	local all not_called not_succeeded
	all=$(subcommands)
	check_eq "the CLI has 31 amplifybackend subcommands" "$(printf '%s\n' "$all" | wc -l | tr -d ' ')" 31
	not_called=$(comm -23 <(printf '%s\n' "$all") <(sort -u "$CALLED") | tr '\n' ' ')
	not_succeeded=$(comm -23 <(printf '%s\n' "$all") <(sort -u "$SUCCEEDED") | tr '\n' ' ')
	check_eq "every subcommand was run (missing: $not_called)" "$not_called" ""
	check_eq "every subcommand succeeded at least once (missing: $not_succeeded)" "$not_succeeded" ""
	echo "coverage: $(sort -u "$CALLED" | comm -12 - <(printf '%s\n' "$all") | wc -l | tr -d ' ')/31 subcommands run"
}

# parallel FUNC...: runs the functions at once, each in a subshell with set -e; one that
# stops early counts as a failed check. Returns when all have ended.
parallel() {
	local pids=() names=() i rc f
	for f in "$@"; do
		("$f") &
		pids+=($!)
		names+=("$f")
	done
	for i in "${!pids[@]}"; do
		rc=0
		wait "${pids[$i]}" || rc=$?
		if [ "$rc" -ne 0 ]; then
			fail "${names[$i]} stopped early (exit status $rc)"
		fi
	done
}

finish() {
	FINISHED=1
	local failed
	failed=$(count fail)
	echo "$(count pass) passed, $failed failed"
	[ "$failed" -eq 0 ]
}
