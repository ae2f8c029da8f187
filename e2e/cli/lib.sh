# Shared by the AWS CLI suites: start amplifybackendd, run the CLI against it, check results.
set -euo pipefail

BIN=${AMPLIFYBACKENDD_BIN:-amplifybackendd}
export AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret AWS_DEFAULT_REGION=us-east-1
export AWS_PAGER="" AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

passed=0
failed=0

# start_server ARGS...: starts the server on a free port; sets ENDPOINT.
start_server() {
	DATA_DIR=$(mktemp -d)
	LOG=$DATA_DIR.log
	"$BIN" --addr 127.0.0.1:0 --data-dir "$DATA_DIR" --log-format json "$@" 2>"$LOG" &
	SERVER_PID=$!
	trap stop_server EXIT
	for _ in $(seq 1 300); do
		addr=$(jq -r 'select(.msg == "amplifybackendd listening") | .addr' "$LOG" 2>/dev/null | head -n1)
		if [ -n "$addr" ]; then
			ENDPOINT=http://$addr
			return
		fi
		sleep 0.1
	done
	echo "server did not start:" >&2
	cat "$LOG" >&2
	exit 1
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
	rm -rf "$DATA_DIR" "$LOG"
}

ab() { aws amplifybackend --endpoint-url "$ENDPOINT" --output json "$@"; }

# check NAME JQ_EXPR JSON: passes when the jq expression is true of the JSON.
check() {
	if [ "$(printf '%s' "$3" | jq -r "$2")" = "true" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $1: $2 on $3" >&2
	fi
}

# expect_error NAME CODE CMD...: passes when the CLI exits non-zero naming the error code.
expect_error() {
	local name=$1 code=$2
	shift 2
	local out
	if out=$("$@" 2>&1); then
		failed=$((failed + 1))
		echo "FAIL: $name: succeeded; want $code" >&2
	elif printf '%s' "$out" | grep -q "($code)"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name: want $code, got: $out" >&2
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

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
