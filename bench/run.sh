#!/usr/bin/env bash
# bench/run.sh: build the benchmark binaries, start private PostgreSQL, Redis and
# RabbitMQ (scripts/services) pinned to the server CPU, run bench/ (the runner,
# also pinned there; it pins cmd/loadgen to the other CPU), and always stop the
# services again.
#
# Environment (the Makefile passes its variables through):
#   BENCHFLAGS  flags of the runner, e.g. BENCHFLAGS='-rounds 3 -d 10s'
#   SERVER_CPU  CPU list of the servers and databases, default 1
#   LOAD_CPU    CPU list of the load generator, default 0
set -euo pipefail

cd "$(dirname "$0")/.."

server_cpu=${SERVER_CPU:-1}
load_cpu=${LOAD_CPU:-0}

go build -o bin/bench/ ./cmd/loadgen ./cmd/gateway ./cmd/worker ./bench/refserver ./bench/stubgateway
go build -o bin/bench/bench ./bench

dir=$(mktemp -d /tmp/hookgate-services.XXXXXX)
trap 'scripts/services down "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The databases inherit the server CPU from this taskset.
taskset -c "$server_cpu" scripts/services up "$dir" >/dev/null
set -a
# shellcheck disable=SC1091
. "$dir/env"
set +a
export DATABASE_URL=$TEST_DATABASE_URL AMQP_URL=$TEST_AMQP_URL

# shellcheck disable=SC2086 # flags are word lists on purpose
taskset -c "$server_cpu" bin/bench/bench -bin bin/bench -server-cpu "$server_cpu" -load-cpu "$load_cpu" ${BENCHFLAGS:-}
