# Persistent Chat failback harness. `make run` and `make test` are the two
# commands a newcomer needs; everything else is for developers and CI.
SHELL := /bin/bash
GO ?= go
export TESTCONTAINERS_RYUK_DISABLED := true
export CGO_ENABLED ?= 1
# Every build and test is -trimpath: the build cache's key of a package
# compiled without it includes the folder it was compiled in, so a clean
# clone at a new path (as CI makes) recompiled every package of the module
# in each configuration (plain, -race, fuzzing); with it, a commit built
# once on this machine, in any folder, is reused. Tests find their files
# relative to their package's folder, where go test runs them, never
# through runtime.Caller's path (which -trimpath rewrites).
export GOFLAGS := $(strip $(GOFLAGS) -trimpath)

# CI runs every test once. The packages with concurrency run under the
# race detector only (a plain run of them would repeat the same
# assertions); the rest (commands, containers, the crash matrix, the
# security and layout checks) run once without it: they orchestrate other
# processes (the engine binary, Docker), and the detector would only
# multiply their run time. The scenarios (steps) and the load tests run
# with -race -short, and their long part (what -short leaves out) runs
# plain in `unit`.
# RACE_PKGS: of sim/, fakes/ and failback/, the packages whose tests can
# meet a data race (they, their tests or a package of ours they reach start
# goroutines or share memory: scripts/racepkgs says how it decides). The
# pure ones (the T-SQL parser, codecs, collations...) run plain in unit:
# under -race they only paid an instrumented link and slower tests.
# Each is computed once per make, when a recipe first uses it (a plain
# `=` ran go again at every use; `:=` would run it for every target).
RACE_PKGS = $(eval RACE_PKGS := $(shell $(GO) run ./scripts/racepkgs ./sim/... ./fakes/... ./failback/... | grep -v -e /sim/containers))$(RACE_PKGS)
MODULE = $(eval MODULE := $(shell $(GO) list -m))$(MODULE)
UNIT_PKGS = $(eval UNIT_PKGS := $(filter-out $(RACE_PKGS) $(MODULE)/steps $(MODULE)/loadtest,$(shell $(GO) list ./...)))$(UNIT_PKGS)
# unit's longest packages (minutes each, mostly waiting on Docker, worlds
# and the processes they start), first on go test's command line: go test
# starts test runs in that order, and in alphabetical order sim/containers
# and securitytest started last, when the others were half done, and ran
# alone at the end (measured: unit's go test began at 08:58:40,
# sim/containers started at 09:02:45 and ended unit at 09:08:07).
UNIT_FIRST = sim/containers lab rulestest securitytest cmd/drill crashtest
UNIT_ORDERED = $(foreach p,$(UNIT_FIRST),$(filter $(MODULE)/$(p),$(UNIT_PKGS))) $(filter-out $(addprefix $(MODULE)/,$(UNIT_FIRST)),$(UNIT_PKGS))
FUZZTIME ?= 3s
BENCHTIME ?= 1s
# Test binaries are linked without DWARF (-w): nothing in a test run reads
# it (stack traces use the symbol table), and the link of each of the ~100
# test binaries make test builds took about a third longer with it.
TEST_LDFLAGS ?= -w
# Under load a package's tests can take longer than go test's default
# 10-minute hang guard; a hang is still caught.
TEST_TIMEOUT ?= 30m
# go test vets every package it builds, again per build configuration
# (plain, -race, fuzz-instrumented: each its own cache entry), with a
# subset of the analyzers `go vet ./...` in lint already ran over the same
# packages and their tests. make test runs lint first, so unit, race and
# fuzz-short leave vetting to it; `make unit VET=` (empty: go test's own
# choice of analyzers) or VET=all vets in them too, e.g. running unit alone.
VET ?= off

TARGET ?= embedded

# staticcheck is pinned: @latest moves, and the module proxy serves
# chosen versions. `make tools` installs it when missing or another version.
STATICCHECK_VERSION ?= v0.8.2
GOBIN_DIR := $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
STATICCHECK := $(GOBIN_DIR)/staticcheck

.PHONY: run test unit race fuzz fuzz-short bench bench-scale lint build tools load

# The build is said first: a cold one takes minutes on a small machine and
# prints nothing of its own.
## run: the drill against the embedded world (no Docker needed); TARGET=containers runs the @containers scenarios in Docker
run:
	@echo "make run: building the drill (the first build takes a few minutes, later ones seconds)..."
	@$(GO) build -o bin/drill ./cmd/drill
	./bin/drill --target $(TARGET) --report report

## test: everything CI checks: lint, unit and integration tests (race where it matters), short fuzz runs
# Three phases. First lint, the unit tests and the build of the fuzz
# binaries side by side (make -j): unit's three parts mostly wait (on the
# worlds' Agent and engine polls, on containers, on the load tests' scaled
# clocks: 187 CPU seconds in 480 s of wall time one after the other on the
# 2-core machine), lint and the builds are CPU, so they fill the cores unit
# leaves idle instead of adding their minutes before it; the race
# packages' test binaries (race-build) too, so race-run only runs them.
# Then race-run alone (CPU-bound under the detector), then the fuzzing
# alone: fuzzing for a
# fixed time, a target beside other work gets a share of the cores (on the
# loaded 2-core machine targets fuzzed 5-20 inputs in their 3 s beside
# unit, one did not finish its baseline coverage: a check dropped). It runs
# two targets at once with one worker each (FUZZJOBS, FUZZPARALLEL): each
# fuzzes FUZZTIME on a core of its own, half the wall time and CPU of one
# target at a time on both cores.
# With a Docker daemon the container images are built first, once: the
# tests that need them (cmd/drill, lab, sim/containers, steps' container
# scenarios) then reuse them instead of compiling their binaries (a build
# of their own: CGO_ENABLED=0, -trimpath) in several test processes at
# once, on the clock of a test's timeout.
# A failure in lint still fails make test (after the phase's other jobs end).
# The collector runs at TEST_GOGC (GOGC=400 instead of 100): make test is
# CPU-bound on the 2-core machine, which has memory to spare; the race
# scenarios alone took 11% less CPU (118 -> 106 s) for 1.1 GB of peak
# RSS instead of 0.65. Tests that check memory collect it themselves
# (runtime.GC before reading it).
TEST_GOGC ?= 400
test:
	@GOGC=$(TEST_GOGC) $(MAKE) --no-print-directory -j6 lint test-unit fuzz-build race-build
	@GOGC=$(TEST_GOGC) $(MAKE) --no-print-directory race-run
	@GOGC=$(TEST_GOGC) $(MAKE) --no-print-directory fuzz-run

# unit after the images it reuses and go vet's builds (make test's first
# phase; its three parts take their share of the -j6 slots).
.PHONY: test-unit test-images
test-unit: lint-vet test-images
	@$(MAKE) --no-print-directory unit

test-images:
	@if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory images; fi

build:
	$(GO) build ./...

# unit is three independent parts (make -j3 unit runs them at once). The
# packages' tests mostly wait on processes, containers and timers (the
# crash matrix, the lab, the drill, the security scan: 20-35% of a core
# each), so go test runs UNIT_P of them at once instead of one per core:
# its six longest (UNIT_FIRST) all start at once (with 4, cmd/drill and
# crashtest waited ~45 s for a slot and ended the phase).
UNIT_P ?= 6
.PHONY: unit-pkgs unit-slow unit-load
unit: unit-pkgs unit-slow unit-load

# The commands tests start (the engine binary in crashtest, lab and
# securitytest; cmd/lab, cmd/drill, cmd/mssqlsim), built once for all of
# unit's test processes instead of once in each (internal/testbin; go test
# of one package alone still builds its own).
TEST_BIN ?= bin/test
.PHONY: test-bin
test-bin:
	$(GO) build -o $(TEST_BIN)/ ./cmd/failback ./cmd/lab ./cmd/drill ./cmd/mssqlsim

unit-pkgs: test-bin
	HARNESS_TEST_BIN=$(abspath $(TEST_BIN)) $(GO) test -count=1 -vet=$(VET) -ldflags=$(TEST_LDFLAGS) -timeout $(TEST_TIMEOUT) -p $(UNIT_P) $(UNIT_ORDERED)

# What -short leaves out of the scenarios and the load tests (race runs the
# rest), and TestChaosSchedule: the @chaos rehearsals under seed 42 (race's
# TestFeatures runs them under the run's seed 0, the same code under the
# race detector); plain they take 4 CPU seconds, under -race 25.
unit-slow:
	$(GO) test -count=1 -vet=$(VET) -ldflags=$(TEST_LDFLAGS) -timeout $(TEST_TIMEOUT) -run 'TestFeatures|TestContainerScenarios|TestChaosSchedule' ./steps -args -scenarios=@slow

unit-load:
	$(GO) test -count=1 -vet=$(VET) -ldflags=$(TEST_LDFLAGS) -timeout $(TEST_TIMEOUT) -run 'Steady|Days|Sees' ./loadtest

# The race-instrumented test binaries of the race packages, the scenarios
# and the load tests (go test -race -c, into RACEBIN; scripts/testbins.sh):
# make test builds them in its first phase, beside unit, whose tests mostly
# wait, so that race only runs them (race-run). go test caches compiled
# packages but not linked test binaries: a `go test -race` linked all of
# them again in the race phase, alone on the cores.
# `make race` builds them afresh, then runs them.
RACEBIN ?= bin/race
RACE_ENV = TESTBINFLAGS="-race -vet=$(VET) -ldflags=$(TEST_LDFLAGS)" TESTBINTIMEOUT=$(TEST_TIMEOUT)
.PHONY: race-build race-run
race-build:
	@test -n "$(strip $(RACE_PKGS))" || { echo "race-build: no packages (did scripts/racepkgs fail?)"; exit 1; }
	@$(RACE_ENV) ./scripts/testbins.sh build $(RACEBIN) $(RACE_PKGS) ./steps ./loadtest

# As in unit, some race packages mostly wait (sim/world: 24 CPU seconds in
# 228 s; failback: 9 in 80), so RACE_P run at once; and the scenarios
# (CPU-bound under the detector) run beside them (race-run's -j2), not
# after them: one after the other, the cores idled through sim/world's
# waits before the scenarios began.
RACE_P ?= 4
race: race-build
	@$(MAKE) --no-print-directory race-run

.PHONY: race-run-pkgs race-run-scenarios
race-run:
	@test -n "$(strip $(RACE_PKGS))" || { echo "race: no packages to run (did scripts/racepkgs fail?)"; exit 1; }
	@$(MAKE) --no-print-directory -j2 race-run-scenarios race-run-pkgs

# The longest race packages first, as unit's (UNIT_FIRST): alphabetically
# sim/world, the longest, started last and ran alone (measured under load:
# clienttest 324 s, sim/world > 210 s, engine 177 s, storage/media 112 s,
# backup 72 s, failback 50 s, the rest under 31 s each).
RACE_FIRST = sim/world sim/mssql/clienttest sim/mssql/engine sim/mssql/storage/media sim/mssql/backup failback
RACE_ORDERED = $(foreach p,$(RACE_FIRST),$(filter $(MODULE)/$(p),$(RACE_PKGS))) $(filter-out $(addprefix $(MODULE)/,$(RACE_FIRST)),$(RACE_PKGS))

# The load tests after the packages, beside the scenarios' end: the
# packages end first (measured: 85 s, the scenarios 150 s), and after the
# scenarios the load tests ran alone, mostly waiting, on the critical path.
race-run-pkgs:
	$(RACE_ENV) TESTBINP=$(RACE_P) ./scripts/testbins.sh run $(RACEBIN) $(RACE_ORDERED)
	$(RACE_ENV) ./scripts/testbins.sh run $(RACEBIN) ./loadtest -- -test.short

# The scenarios run concurrently (steps' -concurrency); -short leaves out
# the @slow data sizes.
race-run-scenarios:
	$(RACE_ENV) ./scripts/testbins.sh run $(RACEBIN) ./steps -- -test.short -test.skip '^TestChaosSchedule$$'

## load: steady chat traffic through the failback and through two simulated days of log shipping
load:
	$(GO) test -count=1 -v -run 'Steady|Days|Sees' ./loadtest

# lint's three checks are targets of their own so that make test can start
# unit once vet has compiled the packages (their builds are then cached
# for unit's; two go commands compiling the same package at once would
# each do it).
.PHONY: lint-gofmt lint-vet lint-staticcheck
lint: lint-gofmt lint-vet lint-staticcheck

lint-gofmt:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

lint-vet:
	$(GO) vet ./...

# staticcheck keys its cache (~/.cache/staticcheck) on the files' absolute
# paths, so a clean clone at a new path (as CI makes) analysed the whole
# module again: 57 CPU s, 33 s of wall time on the 2-core machine, against
# 0.8 s for a tree it has seen. It runs from a fixed path instead, a
# symbolic link to this checkout (STATICCHECK_ROOT), under flock so that
# two checkouts linting at once each see their own files (without flock,
# or where the folder cannot be made, it runs here, uncached).
STATICCHECK_ROOT ?= $(HOME)/.cache/pchat-harness/staticcheck-root
lint-staticcheck: tools
	@if command -v flock >/dev/null 2>&1 && mkdir -p "$(dir $(STATICCHECK_ROOT))" 2>/dev/null; then \
		flock "$(STATICCHECK_ROOT).lock" sh -c 'ln -sfn "$(CURDIR)" "$(STATICCHECK_ROOT)" && cd "$(STATICCHECK_ROOT)" && echo "$(STATICCHECK) ./... (in $(CURDIR), as $(STATICCHECK_ROOT))" && "$(STATICCHECK)" ./...'; \
	else \
		echo "$(STATICCHECK) ./..."; "$(STATICCHECK)" ./...; \
	fi

## tools: install the pinned staticcheck when it is missing or another version
tools:
	@if ! $(STATICCHECK) -version 2>/dev/null | grep -qF '($(STATICCHECK_VERSION:v%=%))'; then \
		echo "installing staticcheck $(STATICCHECK_VERSION) into $(GOBIN_DIR)"; \
		$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION); \
	fi

# Every Fuzz target in the tree, briefly (CI) or longer (make fuzz FUZZTIME=5m).
# make test builds the fuzz binaries (fuzz-build, into FUZZBIN) beside
# unit and fuzzes with them afterwards (fuzz-run), FUZZJOBS targets at once
# with FUZZPARALLEL workers each; fuzz-short does both, one after the other.
FUZZBIN ?= bin/fuzz
FUZZJOBS ?= 2
FUZZPARALLEL ?= 1
FUZZ_ENV = FUZZTIME=$(FUZZTIME) FUZZVET=$(VET) FUZZLDFLAGS=$(TEST_LDFLAGS) FUZZBIN=$(FUZZBIN)
.PHONY: fuzz-build fuzz-run
fuzz-short:
	@$(FUZZ_ENV) FUZZJOBS=$(FUZZJOBS) FUZZPARALLEL=$(FUZZPARALLEL) ./scripts/fuzz-all.sh

fuzz-build:
	@$(FUZZ_ENV) ./scripts/fuzz-all.sh build

fuzz-run:
	@$(FUZZ_ENV) FUZZJOBS=$(FUZZJOBS) FUZZPARALLEL=$(FUZZPARALLEL) ./scripts/fuzz-all.sh run

fuzz:
	@FUZZTIME=$${FUZZTIME:-60s} ./scripts/fuzz-all.sh

## bench: speed and memory goals, reported in the closing notes
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## bench-scale: the failback of a 100 MiB, 1 GiB and 10 GiB mgc at two link
## bandwidths against the physical limit: bench-scale/table.md, plot.svg,
## report.html (sizes that do not fit in memory are skipped and said so).
## Long (minutes per size) and not part of make test.
SCALE_SIZES ?= 100MiB,1GiB,10GiB
SCALE_BANDWIDTHS ?= 1000,500
bench-scale:
	$(GO) run ./cmd/benchscale -sizes $(SCALE_SIZES) -bandwidths $(SCALE_BANDWIDTHS) -out bench-scale

# --- Container images and the rehearsal lab (sim/containers, docker-compose*.yml) ---
# LAB=real uses docker-compose.yml (real SQL Server image, Pushgateway: needs a
# registry); LAB=sim uses docker-compose.sim.yml (local images only, offline).
LAB ?= real
COMPOSE_PROJECT ?= pchat-lab
COMPOSE_FILE_real := docker-compose.yml
COMPOSE_FILE_sim := docker-compose.sim.yml
COMPOSE ?= $(shell if docker compose version >/dev/null 2>&1; then echo "docker compose"; else echo docker-compose; fi)

.PHONY: images lab-env compose-up compose-down

## images: build pchat-harness/mssqlsim:dev and pchat-harness/lyncfake:dev FROM scratch (reused when unchanged)
images:
	$(GO) run ./sim/containers/cmd/build-images

# docker/sql.env and docker/lync.env with random passwords, when missing.
lab-env:
	$(GO) run ./sim/containers/cmd/build-images -no-images -lab-env docker

## compose-up: LAB=sim: the seeded, failed-over rehearsal lab as compose services, run like make lab (until compose-down or Ctrl-C); LAB=real: the real SQL Server image, empty and Normal (it cannot fail over)
compose-up: images lab-env lab-bin
ifeq ($(LAB),sim)
	@$(LAB_BIN)/lab up --target compose --compose-file $(COMPOSE_FILE_sim) --compose-project $(COMPOSE_PROJECT) --dir $(LAB_COMPOSE_DIR) --state $(LAB_STATE) --rate $(LAB_RATE) --failback-cmd $(LAB_BIN)/failback $(if $(LAB_KEEP),--keep)
else
	@echo "compose-up: $(COMPOSE_FILE_$(LAB)) runs the real SQL Server image, which cannot be failed over or failed back (SQL Server on Linux has no UNC paths, Windows accounts or database mirroring): it comes up empty, in the Normal state. The rehearsal lab is LAB=sim or make lab."
	env $$($(LAB_BIN)/lab compose-ports) $(COMPOSE) -p $(COMPOSE_PROJECT) -f $(COMPOSE_FILE_$(LAB)) up -d
endif

## compose-down: stop the lab (LAB=sim: as make lab-down; KEEP_DATA=1 keeps its folder or volumes)
compose-down: lab-bin
ifeq ($(LAB),sim)
	@$(LAB_BIN)/lab down --dir $(LAB_COMPOSE_DIR) $(if $(KEEP_DATA)$(LAB_KEEP),--keep)
else
	$(COMPOSE) -p $(COMPOSE_PROJECT) -f $(COMPOSE_FILE_$(LAB)) down --remove-orphans $(if $(KEEP_DATA),,-v)
endif

# --- Procedure mutants (failback/mutants, cmd/mutants) ---
.PHONY: mutants

## mutants: run the scenarios under every deliberately wrong plan; exit 0 only when all are caught
mutants: ; $(GO) run ./cmd/mutants

# --- The rehearsal lab (cmd/lab, lab/): a deployment the real failback CLI fails back ---
# make lab [TARGET=containers|compose] [LAB_TOPOLOGY=FILE] [LAB_STATE=normal]
#          [LAB_DIR=.lab] [LAB_RATE=posts/s] [LAB_KEEP=1]; then the printed
# failback commands, make lab-check, make lab-down. make compose-up LAB=sim is
# the compose target in $(LAB_COMPOSE_DIR). The binaries go to $(LAB_BIN)
# (ignored by git).
LAB_DIR ?= .lab
LAB_COMPOSE_DIR ?= .lab-compose
LAB_TOPOLOGY ?= topologies/embedded.yaml
LAB_STATE ?= failed-over
LAB_RATE ?= 5
LAB_BIN ?= bin

.PHONY: lab lab-check lab-status lab-down lab-bin

lab-bin:
	@$(GO) build -o $(LAB_BIN)/ ./cmd/lab ./cmd/failback

## lab: start a failed-over lab (LAB_STATE=normal: before the disaster) and run it until make lab-down or Ctrl-C
lab: lab-bin
	@$(LAB_BIN)/lab up --dir $(LAB_DIR) --target $(TARGET) --topology $(LAB_TOPOLOGY) --state $(LAB_STATE) --rate $(LAB_RATE) --compose-file $(COMPOSE_FILE_sim) --compose-project $(COMPOSE_PROJECT) --failback-cmd $(LAB_BIN)/failback $(if $(LAB_KEEP),--keep)

## lab-check: was any chat message the lab acknowledged lost? (exit 1 when one was)
lab-check: lab-bin
	@$(LAB_BIN)/lab check --dir $(LAB_DIR)

lab-status: lab-bin
	@$(LAB_BIN)/lab status --dir $(LAB_DIR)

## lab-down: stop the lab and everything it started, or clean up after one that died (LAB_KEEP=1 keeps its folder)
lab-down: lab-bin
	@$(LAB_BIN)/lab down --dir $(LAB_DIR) $(if $(LAB_KEEP),--keep)
