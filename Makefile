# hookgate developer commands. `make help` lists them.
#
# Variables (override on the command line: `make test RACE= PKG=./store/...`):
RACE         ?= -race
PKG          ?= ./...
TIMEOUT      ?= 25m
TESTFLAGS    ?=
FUZZTIME     ?= 60s
FUZZTIME_SHORT ?= 5s
SERVICES_DIR ?= /tmp/hookgate-services
BENCHFLAGS   ?=

GO ?= go

.DEFAULT_GOAL := help
.PHONY: help test build run lint docs fuzz fuzz-short services-up services-down bench chaos

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

test: ## start PostgreSQL/Redis/RabbitMQ, run go test against them, stop them
	RACE="$(RACE)" PKG="$(PKG)" TIMEOUT="$(TIMEOUT)" TESTFLAGS="$(TESTFLAGS)" scripts/test

build: ## build every binary under cmd/ into bin/
	$(GO) build -o bin/ ./cmd/...

run: ## run everything in one process with embedded defaults (hookgate dev)
	$(GO) run ./cmd/hookgate dev

docs: ## rewrite the catalogue's generated parts of README.md and docs/providers.md
	$(GO) test ./providers/catalogue -run TestDocsMatchTheCatalogue -update

lint: ## gofmt and go vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt -w needed on:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKG)

fuzz-short: ## every Fuzz* target for FUZZTIME_SHORT each
	FUZZTIME="$(FUZZTIME_SHORT)" PKG="$(PKG)" scripts/fuzz

fuzz: ## every Fuzz* target for FUZZTIME each
	FUZZTIME="$(FUZZTIME)" PKG="$(PKG)" scripts/fuzz

bench: ## start the services, run the benchmark (bench/: ref, gateway, e2e, Temporal ceiling), stop them
	BENCHFLAGS="$(BENCHFLAGS)" bench/run.sh

chaos: ## the fault suite (issue #4) at full load, 500 req/s with 30 s outages; prints the books of each fault
	CHAOS=full RACE= PKG=./chaos TIMEOUT=180m TESTFLAGS="-v -run TestChaos $(TESTFLAGS)" scripts/test

services-up: ## start the test services in SERVICES_DIR for manual use
	scripts/services up "$(SERVICES_DIR)"
	@echo "export them with: set -a; . $(SERVICES_DIR)/env; set +a"

services-down: ## stop the services started by services-up
	scripts/services down "$(SERVICES_DIR)"
