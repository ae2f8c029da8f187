#!/usr/bin/env bash
# bench/callgrind.sh: the server's own instructions per GetBackendJob, ours against bare
# net/http answering the same bytes, counted by callgrind (valgrind). Instruction counts
# repeat from run to run whatever else the machine does, where req/s and µs do not; they
# leave out the kernel's work (reading and writing the socket), which is the same for both.
#
#   bench/callgrind.sh            # 2,000 requests each, after 300 to warm up; about 2 minutes
#   CG_REQUESTS=5000 bench/callgrind.sh
#
# Each server runs under `valgrind --tool=callgrind` (GODEBUG=asyncpreemptoff=1: callgrind
# cannot follow Go's preemption signals); bench/seq sends the warm-up requests, then the
# counters are zeroed (callgrind_control -z), the measured requests sent, and the counters
# dumped (-d). The figure includes what the process did meanwhile in the background (the job
# runner's polls, the log's flushes), which callgrind's slowdown makes weigh more than it
# does at full speed: "background" reports the job runner's part.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${CG_REQUESTS:-2000}
PORT=${CG_PORT:-4790}
OUT=bench/out/callgrind
BIN=bench/out/bin
command -v valgrind >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
mkdir -p "$OUT" "$BIN"
rm -rf "${OUT:?}"/*
go build -o "$BIN/amplifybackendd" ./cmd/amplifybackendd
for tool in bare sign seq; do go build -o "$BIN/$tool" "./bench/$tool"; done
AUTH="AWS4-HMAC-SHA256 Credential=123456789012/$(date -u +%Y%m%d)/us-east-1/amplifybackend/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
VPID=
trap '[ -z "$VPID" ] || kill "$VPID" 2>/dev/null || true' EXIT

# measure NAME PATH: warms up, counts N requests, stops the server; sets IR and BG to the
# instructions per request, all and the job runner's.
measure() {
	local name=$1 path=$2 f= total bg
	for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
	"$BIN/sign" -url "http://127.0.0.1:$PORT$path" -access-key 123456789012 >"$OUT/$name.headers"
	"$BIN/seq" -addr "127.0.0.1:$PORT" -path "$path" -headers "$OUT/$name.headers" -n 300
	callgrind_control -z "$VPID" >/dev/null 2>&1
	"$BIN/seq" -addr "127.0.0.1:$PORT" -path "$path" -headers "$OUT/$name.headers" -n "$N"
	callgrind_control -d "$VPID" >/dev/null 2>&1
	for _ in $(seq 100); do
		f=$(ls "$OUT/$name".*.1 2>/dev/null | head -1 || true)
		[ -n "$f" ] && break
		sleep 0.1
	done
	kill "$VPID"; wait "$VPID" 2>/dev/null || true; VPID=
	total=$(sed -n 's/^\(summary\|totals\): *\([0-9]*\).*/\2/p' "$f" | head -1)
	bg=$(callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$f" 2>/dev/null |
		awk '/jobs\.\(\*Runner\)\.Run \[/ && !/'"'"'2/ { v = $1; gsub(",", "", v); s += v } END { print s + 0 }')
	IR=$((total / N)) BG=$((bg / N))
}

# Ours, on a data directory of its own, with one completed job.
GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/ours.%p" \
	"$BIN/amplifybackendd" --addr "127.0.0.1:$PORT" --data-dir "$OUT/data" --job-duration 0s 2>"$OUT/ours.log" &
VPID=$!
for _ in $(seq 600); do curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
JOB=$(curl -sf -X POST "http://127.0.0.1:$PORT/backend" -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
	-d '{"appId":"benchapp","appName":"benchapp","backendEnvironmentName":"prod"}' | sed -n 's/.*"jobId":"\([^"]*\)".*/\1/p')
JOB_PATH=/backend/benchapp/job/prod/$JOB
for _ in $(seq 300); do
	curl -sf -D "$OUT/job.headers" "http://127.0.0.1:$PORT$JOB_PATH" -H "Authorization: $AUTH" >"$OUT/job.json" || true
	grep -q COMPLETED "$OUT/job.json" && break
	sleep 0.1
done
measure ours "$JOB_PATH"
ours=$IR ours_bg=$BG
REQUEST_ID=$(tr -d '\r' <"$OUT/job.headers" | sed -n 's/^[Xx]-[Aa]mzn-[Rr]equest[Ii]d: *//p' | head -1)

# Bare net/http with the same body and headers.
GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/bare.%p" \
	"$BIN/bare" -addr "127.0.0.1:$PORT" -body "$OUT/job.json" -header "X-Amzn-Requestid: $REQUEST_ID" 2>"$OUT/bare.log" &
VPID=$!
measure bare "$JOB_PATH"
bare=$IR

printf 'instructions per GetBackendJob (%d requests, one connection):\n' "$N"
printf '  ours  %7d  (of which the job runner in the background: %d)\n' "$ours" "$ours_bg"
printf '  bare  %7d\n' "$bare"
awk -v o="$ours" -v g="$ours_bg" -v b="$bare" 'BEGIN { printf "  bare / ours %.2f (%.2f without the background)\n", b / o, b / (o - g) }'
echo "  profiles: $OUT/{ours,bare}.*  (callgrind_annotate FILE)"
