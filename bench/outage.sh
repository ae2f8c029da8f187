#!/usr/bin/env bash
# bench/outage.sh [BIN] [PORT]: what a full disk costs while it lasts. Runs the server (BIN,
# default: built from this tree) on a 4 MB tmpfs, submits a job due in 1 s, fills the disk,
# and counts the log lines and the server's CPU seconds over 10 s of the outage; then frees
# the disk and shows the runner's recovery line. Needs root (mount). See docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-}
PORT=${2:-4790}
if [ -z "$BIN" ]; then
	BIN=$(mktemp -d)/amplifybackendd
	go build -o "$BIN" ./cmd/amplifybackendd
fi
D=$(mktemp -d)
LOG=$(mktemp)
mount -t tmpfs -o size=4m tmpfs "$D"
"$BIN" --addr "127.0.0.1:$PORT" --data-dir "$D" --job-duration 1s 2>"$LOG" &
PID=$!
cleanup() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	umount "$D" && rmdir "$D"
	rm -f "$LOG"
}
trap cleanup EXIT
for _ in $(seq 100); do
	curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break
	sleep 0.05
done
AUTH="AWS4-HMAC-SHA256 Credential=123456789012/$(date -u +%Y%m%d)/us-east-1/amplifybackend/aws4_request, SignedHeaders=host, Signature=0"
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$PORT/backend" -H "Authorization: $AUTH" \
	-H 'Content-Type: application/json' -d '{"appId":"a1","appName":"a1","backendEnvironmentName":"dev"}'
dd if=/dev/zero of="$D/filler" bs=64k 2>/dev/null || true
sleep 2 # the job falls due and the runner meets the full disk
cpu() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
l0=$(wc -l <"$LOG") c0=$(cpu)
sleep 10
l1=$(wc -l <"$LOG") c1=$(cpu)
echo "disk full for 10 s: $((l1 - l0)) log lines, $(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", (b - a) / 100 }') s of server CPU"
rm -f "$D/filler"
for _ in $(seq 100); do
	grep -q 'works again' "$LOG" && break
	sleep 0.1
done
echo "after freeing the disk: $(grep -c 'works again' "$LOG" || true) recovery line(s):"
grep 'the store' "$LOG" | cut -c1-240 || true
