#!/usr/bin/env bash
# Runs every Go fuzz target in the module for $FUZZTIME each and prints the
# fuzzing engine's last progress line per target (inputs run, new
# interesting ones). Go allows one -fuzz target per run, hence the loop.
#
# Each package's fuzz-instrumented test binary is built once (go test -c
# -fuzz) and run once per target, as go test -fuzz would run it (in the
# package's folder, with the same corpus cache under $GOCACHE/fuzz): one
# `go test -fuzz` per target loaded the module, vetted and linked the
# package again for every target (47 targets in 20 packages), several
# seconds each on a loaded 2-core machine, more than the fuzzing itself.
# Vetting stays with `make lint` (go vet ./..., every analyzer go test
# runs and more); FUZZVET= (empty: go test's own analyzers) vets here too.
set -euo pipefail
cd "$(dirname "$0")/.."
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
# FUZZPKGS (an extended regexp on the package's folder) fuzzes only those.
FUZZPKGS=${FUZZPKGS:-.}
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
log=$work/log
fuzzcache=$(go env GOCACHE)/fuzz
status=0

progress() { grep -a '^fuzz: elapsed' "$log" | tail -n 1 | sed 's/^/    /' || true; }

# run <dir> <binary> <import path> <target>
run() {
  (cd "$1" && "$2" -test.paniconexit0 -test.timeout "$FUZZTIMEOUT" -test.run '^$' \
    -test.fuzz "^$4\$" -test.fuzztime "$FUZZTIME" -test.fuzzminimizetime "$FUZZMINIMIZETIME" \
    -test.fuzzcachedir "$fuzzcache/$3") >"$log" 2>&1
}

while IFS= read -r dir; do
  pkg="./$dir"
  targets=$(grep -ohE '^func (Fuzz[A-Za-z0-9_]+)\(' "$dir"/*_test.go | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/' | sort)
  bin="$work/$(echo "$dir" | tr / _).test"
  echo "build $pkg (fuzz-instrumented)"
  if ! go test -c -vet="$FUZZVET" -ldflags="$FUZZLDFLAGS" -fuzz . -o "$bin" "$pkg" >"$log" 2>&1; then
    cat "$log"; status=1
    continue
  fi
  importpath=$(go list "$pkg")
  for target in $targets; do
    echo "fuzz $pkg $target ($FUZZTIME)"
    if run "$root/$dir" "$bin" "$importpath" "$target"; then
      progress
      continue
    fi
    if grep -q 'Failing input written to' "$log"; then
      cat "$log"; status=1
      continue
    fi
    # The fuzzing engine itself can stop without a failing input (e.g.
    # "context deadline exceeded" when a loaded machine is slow to wind the
    # workers down): not a finding, so try once more.
    echo "fuzz $pkg $target: stopped without a failing input ($(grep -m1 -v '^fuzz:' "$log" | head -c 120)); retrying once"
    if run "$root/$dir" "$bin" "$importpath" "$target"; then
      progress
    else
      cat "$log"; status=1
    fi
  done
done < <(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' . | xargs -n1 dirname | sed 's|^\./||' | sort -u | grep -E "$FUZZPKGS")
exit $status
