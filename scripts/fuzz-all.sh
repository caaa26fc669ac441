#!/usr/bin/env bash
# Runs every Go fuzz target in the module for $FUZZTIME each and prints the
# fuzzing engine's last progress line per target (inputs run, new
# interesting ones). Go allows one -fuzz target per run, hence the loop.
#
#   scripts/fuzz-all.sh          build the binaries, then fuzz
#   scripts/fuzz-all.sh build    only build them (into $FUZZBIN)
#   scripts/fuzz-all.sh run      fuzz with the binaries in $FUZZBIN (a
#                                package's is built when it is not there)
#
# Each package's fuzz-instrumented test binary is built once (go test -c
# -fuzz) and run once per target, as go test -fuzz would run it (in the
# package's folder, with the same corpus cache under $GOCACHE/fuzz): one
# `go test -fuzz` per target loaded the module, vetted and linked the
# package again for every target (47 targets in 20 packages), several
# seconds each on a loaded 2-core machine, more than the fuzzing itself.
# With FUZZBIN set the binaries stay there, so `make test` builds them
# while other phases mostly wait and times only the fuzzing.
# Vetting stays with `make lint` (go vet ./..., every analyzer go test
# runs and more); FUZZVET= (empty: go test's own analyzers) vets here too.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
case $mode in all|build|run) ;; *) echo "usage: $0 [build|run]" >&2; exit 2 ;; esac
FUZZTIME=${FUZZTIME:-3s}
# Go minimizes every new interesting input for up to 60 s by default; for
# targets whose inputs are large (SOAP envelopes, topology files) that ate
# the whole run (11 inputs in 30 s). Short minimization leaves the time to
# fuzzing; a failing input is still minimized (up to this bound) and kept.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-1s}
FUZZVET=${FUZZVET-off}
# Linker flags of the fuzz binaries (make test: -w, no DWARF, as its tests).
FUZZLDFLAGS=${FUZZLDFLAGS-}
# A target's hang is still caught: the fuzzing engine's own per-input
# timeout (10 s) fails it; this bounds the whole run of one target.
FUZZTIMEOUT=${FUZZTIMEOUT:-30m}
# How many times a target is fuzzed again when the engine stops without a
# failing input (not a finding; see target). It happened to 5 of the ~350
# target runs of seven make test runs on the 2-core machine, each once: with
# one retry, two such stops of one target in a run would have failed CI.
FUZZRETRIES=${FUZZRETRIES:-2}
# FUZZPKGS (an extended regexp on the package's folder) fuzzes only those.
FUZZPKGS=${FUZZPKGS:-.}
# FUZZJOBS targets fuzz at once, each with FUZZPARALLEL workers (empty: the
# engine's default, one per core). make test runs 2 at once with 1 worker
# each: every target still fuzzes for FUZZTIME on a core of its own, in
# half the wall time and CPU of one target at a time on both cores.
FUZZJOBS=${FUZZJOBS:-1}
FUZZPARALLEL=${FUZZPARALLEL-}
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bindir=${FUZZBIN:-$work/bin}
mkdir -p "$bindir"
bindir=$(cd "$bindir" && pwd)
fuzzcache=$(go env GOCACHE)/fuzz
status=0

dirs=$(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' . | xargs -n1 dirname | sed 's|^\./||' | sort -u | grep -E "$FUZZPKGS")

# binary <dir>: the fuzz binary of the package in dir, and its import path
# beside it (<binary>.importpath), written once the build succeeded.
binary() { echo "$bindir/$(echo "$1" | tr / _).test"; }

build() {
  local dir=$1 bin log
  bin=$(binary "$dir")
  [[ $mode == run && -x $bin && -s $bin.importpath ]] && return 0
  rm -f "$bin.importpath"
  log=$work/build.$(echo "$dir" | tr / _).log
  if ! go test -c -vet="$FUZZVET" -ldflags="$FUZZLDFLAGS" -fuzz . -o "$bin" "./$dir" >"$log" 2>&1; then
    echo "build ./$dir (fuzz-instrumented): failed"
    cat "$log"
    return 1
  fi
  go list "./$dir" >"$bin.importpath"
  echo "build ./$dir (fuzz-instrumented)"
}

# go test -c takes one package with -fuzz, and most of a build is its
# link, one thread: FUZZBUILDJOBS builds run at once so that both cores
# link (the 20 builds one after the other were the tail of make test's
# first phase, after unit had ended).
FUZZBUILDJOBS=${FUZZBUILDJOBS:-2}
building=()
for dir in $dirs; do
  if ((${#building[@]} >= FUZZBUILDJOBS)); then
    wait "${building[0]}" || status=1
    building=("${building[@]:1}")
  fi
  build "$dir" &
  building+=("$!")
done
for pid in ${building[@]+"${building[@]}"}; do
  wait "$pid" || status=1
done
[[ $mode == build ]] && exit $status

# fuzz1 <log> <dir> <binary> <import path> <target>
fuzz1() {
  (cd "$root/$2" && "$3" -test.paniconexit0 -test.timeout "$FUZZTIMEOUT" -test.run '^$' \
    -test.fuzz "^$5\$" -test.fuzztime "$FUZZTIME" -test.fuzzminimizetime "$FUZZMINIMIZETIME" \
    ${FUZZPARALLEL:+-test.parallel "$FUZZPARALLEL"} -test.fuzzcachedir "$fuzzcache/$4") >"$1" 2>&1
}

# target <n> <dir> <target>: fuzzes one target; everything it prints goes to
# $work/<n>.out (printed whole when it ends, so jobs do not interleave),
# its exit status to $work/<n>.rc.
target() {
  local n=$1 dir=$2 t=$3 bin importpath log=$work/$1.log out=$work/$1.out rc=0
  bin=$(binary "$dir")
  importpath=$(cat "$bin.importpath")
  {
    echo "fuzz ./$dir $t ($FUZZTIME${FUZZPARALLEL:+, $FUZZPARALLEL worker(s)})"
    local try=0
    while :; do
      if fuzz1 "$log" "$dir" "$bin" "$importpath" "$t"; then
        progress "$log"
        break
      fi
      # A finding (the engine wrote the failing input) fails at once.
      if grep -q 'Failing input written to' "$log" || ((try >= FUZZRETRIES)); then
        cat "$log"; rc=1
        break
      fi
      # The fuzzing engine itself can stop without a failing input (e.g.
      # "context deadline exceeded" when a loaded machine is slow to wind
      # the workers down): not a finding, so try again, up to FUZZRETRIES
      # times.
      try=$((try + 1))
      echo "fuzz ./$dir $t: the engine stopped without a failing input ($(reason "$log")); retry $try of $FUZZRETRIES"
    done
  } >"$out" 2>&1
  echo $rc >"$work/$n.rc"
}

# reason <log>: what the engine said when it stopped without a failing
# input (its lines but the progress and the FAIL summary), on one line.
reason() {
  grep -a -v -e '^fuzz: elapsed' -e '^--- FAIL' -e '^FAIL$' "$1" | sed 's/^[[:space:]]*//' | head -n 3 | tr '\n' ' ' | head -c 200 || true
}

# progress <log>: the engine's last progress line, and a warning when the
# target's time ran out before its baseline coverage (running the seed and
# cached corpus) was complete: it then fuzzed no new input.
progress() {
  grep -a '^fuzz: elapsed' "$1" | tail -n 1 | sed 's/^/    /' || true
  if ! grep -aq 'now fuzzing' "$1"; then
    echo "    warning: the baseline coverage did not finish in $FUZZTIME: no new input was fuzzed"
  fi
}

# finish <n>: prints a finished target's output and takes its status.
finish() {
  cat "$work/$1.out"
  [[ $(cat "$work/$1.rc" 2>/dev/null) == 0 ]] || status=1
}

n=0
running=()
for dir in $dirs; do
  [[ -s $(binary "$dir").importpath ]] || continue # its build failed, said above
  for t in $(grep -ohE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort); do
    n=$((n + 1))
    if ((${#running[@]} >= FUZZJOBS)); then
      wait "${running[0]%%:*}" || true
      finish "${running[0]#*:}"
      running=("${running[@]:1}")
    fi
    target $n "$dir" "$t" &
    running+=("$!:$n")
  done
done
for r in "${running[@]}"; do
  wait "${r%%:*}" || true
  finish "${r#*:}"
done
exit $status
