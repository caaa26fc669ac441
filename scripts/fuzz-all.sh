#!/usr/bin/env bash
# Runs every Go fuzz target in the module for $FUZZTIME each. Go allows one
# -fuzz target per `go test` invocation, hence the loop.
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-3s}
status=0
while IFS= read -r file; do
  pkg="./$(dirname "$file")"
  for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    echo "fuzz $pkg $target ($FUZZTIME)"
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz-$$.log 2>&1; then
      if grep -q 'Failing input written to' /tmp/fuzz-$$.log; then
        cat /tmp/fuzz-$$.log; status=1
      else
        # The fuzzing engine itself can stop without a failing input (e.g.
        # "context deadline exceeded" when a loaded machine is slow to wind
        # the workers down): not a finding, so try once more.
        echo "fuzz $pkg $target: stopped without a failing input ($(grep -m1 -v '^fuzz:' /tmp/fuzz-$$.log | head -c 120)); retrying once"
        if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$pkg" >/tmp/fuzz-$$.log 2>&1; then
          cat /tmp/fuzz-$$.log; status=1
        fi
      fi
    fi
  done
done < <(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' . | sort)
rm -f /tmp/fuzz-$$.log
exit $status
