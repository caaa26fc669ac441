# Persistent Chat failback harness. `make run` and `make test` are the two
# commands a newcomer needs; everything else is for developers and CI.
SHELL := /bin/bash
GO ?= go
export TESTCONTAINERS_RYUK_DISABLED := true
export CGO_ENABLED ?= 1

# Packages with concurrency run under the race detector.
RACE_PKGS := ./sim/... ./fakes/... ./failback/...
FUZZTIME ?= 3s
BENCHTIME ?= 1s

.PHONY: run test unit race fuzz fuzz-short bench lint build tools-check

## run: the drill against the embedded world (no Docker needed)
run:
	$(GO) run ./cmd/drill --target embedded --report report

## test: everything CI checks: lint, unit and integration tests (race where it matters), short fuzz runs
test: lint unit race fuzz-short

build:
	$(GO) build ./...

unit:
	$(GO) test -count=1 ./...

race:
	$(GO) test -count=1 -race $(RACE_PKGS)

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# Every Fuzz target in the tree, briefly (CI) or longer (make fuzz FUZZTIME=5m).
fuzz-short:
	@FUZZTIME=$(FUZZTIME) ./scripts/fuzz-all.sh

fuzz:
	@FUZZTIME=$${FUZZTIME:-60s} ./scripts/fuzz-all.sh

## bench: speed and memory goals, reported in the closing notes
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...
