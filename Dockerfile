# syntax=docker/dockerfile:1
# amplifybackendd in a container: a static binary (CGO_ENABLED=0; the SQLite driver is pure
# Go) on a distroless base, run as a non-root user, state in the volume /data, listening on
# 0.0.0.0:4580 inside the container (publish it with -p 127.0.0.1:4580:4580).
#
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) \
#       --build-arg COMMIT=$(git rev-parse HEAD) -t amplifybackendd .
#   docker run --rm -p 127.0.0.1:4580:4580 -v amplifybackend-data:/data amplifybackendd
#
# docs/deploy.md describes it; .ci/run builds and starts it where a Docker engine runs.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The version and commit --version prints (internal/buildinfo): the build context has no .git.
ARG VERSION=""
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/amplifybackendd/amplifybackendd/internal/buildinfo.version=${VERSION} -X github.com/amplifybackendd/amplifybackendd/internal/buildinfo.commit=${COMMIT}" \
      -o /out/amplifybackendd ./cmd/amplifybackendd \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/amplifybackendd /usr/local/bin/amplifybackendd
# The data directory belongs to the image's non-root user (nonroot, 65532).
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/data"]
# Inside the container only: the port is reachable from outside only where it is published.
ENV AMPLIFYBACKEND_ADDR=0.0.0.0:4580 \
    AMPLIFYBACKEND_DATA_DIR=/data
EXPOSE 4580
# No shell or curl in the image: the binary asks its own /healthz (exit 0 on a 200).
HEALTHCHECK --interval=10s --timeout=4s --start-period=5s --retries=3 \
  CMD ["/usr/local/bin/amplifybackendd", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/amplifybackendd"]
