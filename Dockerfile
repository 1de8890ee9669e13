# syntax=docker/dockerfile:1
#
# hookgate images, one target per binary:
#   docker build --target gateway -t hookgate/gateway .
#   docker build --target worker  -t hookgate/worker  .
# Both are static Go binaries (the SQLite driver is pure Go, so CGO is off) on a
# small Alpine base that keeps wget for container health checks.

ARG GO_VERSION=1.26.8
ARG ALPINE_VERSION=3.22

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first: this layer stays cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS=linux
ARG TARGETARCH=amd64
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/gateway ./cmd/worker

FROM alpine:${ALPINE_VERSION} AS runtime
RUN apk add --no-cache ca-certificates tzdata \
    && adduser -D -H -u 10001 hookgate
# The config file is mounted here (HOOKGATE_CONFIG); nothing is written in the image.
WORKDIR /home/hookgate
USER 10001:10001

FROM runtime AS gateway
COPY --from=build /out/gateway /usr/local/bin/gateway
# Webhooks on 8005 (HOOKGATE_LISTEN); the admin API on 8006 (HOOKGATE_ADMIN_LISTEN).
EXPOSE 8005 8006
ENTRYPOINT ["/usr/local/bin/gateway"]

FROM runtime AS worker
COPY --from=build /out/worker /usr/local/bin/worker
ENTRYPOINT ["/usr/local/bin/worker"]
