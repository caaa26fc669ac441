// Package scripts_test checks the shell scripts make test runs, where a
// mistake would either fail CI for nothing or let a finding pass.
package scripts_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeFuzzBinary stands in for a package's fuzz-instrumented test binary:
// it stops without a failing input ("context deadline exceeded", as Go's
// fuzzing engine does when its workers wind down late) for its first
// `stops` runs, then finds an input when finding is set, else passes. It
// counts its runs in count.
const fakeFuzzBinary = `#!/bin/sh
n=$(cat "$COUNT" 2>/dev/null || echo 0); n=$((n + 1)); echo "$n" >"$COUNT"
if [ "$n" -le "$STOPS" ]; then
  echo "fuzz: elapsed: 3s, execs: 10 (3/sec), new interesting: 0 (total: 3)"
  echo "--- FAIL: FuzzFormat (3.10s)"
  echo "    context deadline exceeded"
  echo "FAIL"
  exit 1
fi
if [ "$FINDING" = 1 ]; then
  echo "--- FAIL: FuzzFormat (0.20s)"
  echo "    Failing input written to testdata/fuzz/FuzzFormat/0123"
  exit 1
fi
echo "fuzz: elapsed: 0s, gathering baseline coverage: 0/3 completed, now fuzzing with 1 workers"
echo "fuzz: elapsed: 3s, execs: 100 (33/sec), new interesting: 0 (total: 3)"
echo "PASS"
`

// TestFuzzAllRetriesEngineStopsNotFindings runs scripts/fuzz-all.sh on
// one package (sqlerr, one target) with a fake binary: a stop without a
// failing input is fuzzed again up to FUZZRETRIES times, a finding fails
// at once, and stops beyond the retries fail.
func TestFuzzAllRetriesEngineStopsNotFindings(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skipf("fuzz-all.sh needs bash: %v", err)
	}
	cases := []struct {
		name    string
		stops   int
		finding bool
		wantRC  int
		wantRun int
		wantOut string
	}{
		{"clean", 0, false, 0, 1, "new interesting: 0 (total: 3)"},
		{"two stops, then clean", 2, false, 0, 3, "retry 2 of 2"},
		{"three stops", 3, false, 1, 3, "context deadline exceeded"},
		{"a finding", 0, true, 1, 1, "Failing input written to"},
		{"a stop, then a finding", 1, true, 1, 2, "Failing input written to"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			bin := filepath.Join(dir, "sqlerr.test")
			if err := os.WriteFile(bin, []byte(fakeFuzzBinary), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(bin+".importpath", []byte("github.com/pchatdr/harness/sqlerr\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			count := filepath.Join(dir, "count")
			cmd := exec.Command("bash", "fuzz-all.sh", "run")
			finding := "0"
			if c.finding {
				finding = "1"
			}
			cmd.Env = append(os.Environ(), "FUZZPKGS=^sqlerr$", "FUZZBIN="+dir, "FUZZTIME=3s", "FUZZRETRIES=2",
				"COUNT="+count, "STOPS="+strconv.Itoa(c.stops), "FINDING="+finding)
			out, err := cmd.CombinedOutput()
			rc := 0
			if ee, ok := err.(*exec.ExitError); ok {
				rc = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("fuzz-all.sh: %v\n%s", err, out)
			}
			runs, _ := os.ReadFile(count)
			if rc != c.wantRC || strings.TrimSpace(string(runs)) != strconv.Itoa(c.wantRun) || !strings.Contains(string(out), c.wantOut) {
				t.Errorf("exit %d after %s run(s), want %d after %d, and output with %q:\n%s",
					rc, strings.TrimSpace(string(runs)), c.wantRC, c.wantRun, c.wantOut, out)
			}
		})
	}
}
