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
      cat /tmp/fuzz-$$.log; status=1
    fi
  done
done < <(grep -rlE '^func Fuzz[A-Za-z0-9_]+\(' --include='*_test.go' . | sort)
rm -f /tmp/fuzz-$$.log
exit $status
