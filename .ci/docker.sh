#!/usr/bin/env bash
# Builds the container image and starts it: it must become healthy (its HEALTHCHECK runs
# `amplifybackendd healthcheck`), serve a job through the AWS CLI on the published loopback
# port, print the stamped version, and run as a non-root user. Needs a Docker engine.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(git describe --tags --always --dirty 2>/dev/null || echo ci)
commit=$(git rev-parse HEAD 2>/dev/null || true)
tag=amplifybackendd:ci-$$
docker build -q --build-arg VERSION="$version" --build-arg COMMIT="$commit" -t "$tag" . >/dev/null
name=amplifybackendd-ci-$$
cleanup() {
	docker rm -f "$name" >/dev/null 2>&1 || true
	docker rmi "$tag" >/dev/null 2>&1 || true
}
trap cleanup EXIT

got=$(docker run --rm "$tag" --version)
echo "$got"
case "$got" in "amplifybackendd $version "*) ;; *) echo "docker: --version says \"$got\", not $version" >&2; exit 1 ;; esac

docker run -d --name "$name" -p 127.0.0.1::4580 "$tag" >/dev/null
port=$(docker port "$name" 4580/tcp | head -n1 | sed 's/.*://')
status=
for _ in $(seq 120); do
	status=$(docker inspect --format '{{.State.Health.Status}}' "$name")
	[ "$status" = healthy ] && break
	[ "$(docker inspect --format '{{.State.Running}}' "$name")" = true ] || break
	sleep 0.5
done
if [ "$status" != healthy ]; then
	echo "docker: the container is $status, not healthy, after 60 s:" >&2
	docker logs "$name" >&2
	exit 1
fi
user=$(docker inspect --format '{{.Config.User}}' "$tag")
[ "$user" = 65532:65532 ] || { echo "docker: the image runs as \"$user\", not the non-root 65532" >&2; exit 1; }

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
ab() { aws amplifybackend --endpoint-url "http://127.0.0.1:$port" "$@"; }
job=$(ab create-backend --app-id d1docker --app-name docker --backend-environment-name dev --query JobId --output text)
for _ in $(seq 50); do
	s=$(ab get-backend-job --app-id d1docker --backend-environment-name dev --job-id "$job" --query Status --output text)
	[ "$s" = IN_PROGRESS ] || break
	sleep 0.2
done
[ "$s" = COMPLETED ] || { echo "docker: CreateBackend ended $s" >&2; docker logs "$name" >&2; exit 1; }
echo "container $tag: healthy, CreateBackend $s, user $user"
