#!/usr/bin/env bash
# Runs every Go fuzz target in the module for $FUZZTIME each and prints the
# fuzzing engine's last progress line per target (inputs run, new
# interesting ones). Go allows one -fuzz target per `go test` invocation,
# hence the loop.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
# Go minimizes every new interesting input for up to 60 s by default; for
# targets whose inputs are large (SOAP envelopes, topology files) that ate
# the whole run (11 inputs in 30 s). Short minimization leaves the time to
# fuzzing; a failing input is still minimized (up to this bound) and kept.
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-1s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$1" >"$log" 2>&1; }
progress() { grep -a '^fuzz: elapsed' "$log" | tail -n 1 | sed 's/^/    /' || true; }

while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    echo "fuzz $pkg $target ($FUZZTIME)"
    if fuzz "$pkg" "$target"; then
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
    if fuzz "$pkg" "$target"; then
      progress
    else
      cat "$log"; status=1
    fi
  done
done < <(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' . | sort)
exit $status
