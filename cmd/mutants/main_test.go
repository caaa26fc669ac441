package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The real plan passes the rehearsal (the control is not "caught"), and two
// mutants that the simulator refuses with real SQL Server errors are
// caught, each with its error in the line that says so; the run ends with
// the summary line and exits 0. Kept to one scenario of failback.feature
// (the procedure itself, its smallest history: the one the containers
// target runs too) so it runs in seconds; one run for control, mutants
// and summary. Every scenario runs with the real plan in steps'
// TestFeatures; "@rehearsal && ~@slow" ran three failbacks per suite here,
// the longest test of make unit (616 s of it on the loaded 2-core machine).
func TestControlPassesAndMutantsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three scenario suites")
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--tags", "@rehearsal && @containers && ~@slow", "--features", "failback.feature",
		"--mutants", "restore-without-replace,skip-clear-active", "--concurrency", "2"}, &out, &errb)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 0 || lines[len(lines)-1] != "caught 2 of 2 mutants" {
		t.Fatalf("exit %d, output:\n%s\n%s", code, out.String(), errb.String())
	}
	for _, want := range []struct{ prefix, err string }{
		{"control  passed ", ""},
		{"caught   restore-without-replace ", "(3154)"},
		// 3101's text: the engine's own explanation comes first and the
		// line is cut before the number.
		{"caught   skip-clear-active ", "mssql: Exclusive access could not be ob"},
	} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, want.prefix) {
				found = true
				if !strings.Contains(l, want.err) {
					t.Errorf("%q, want its first failure to contain %q", l, want.err)
				}
			}
		}
		if !found {
			t.Errorf("no line %q in:\n%s", want.prefix, out.String())
		}
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"--mutants", "no-such"}, exitUsage, "unknown mutant"},
		{[]string{"--step-timeout", "0s"}, exitUsage, "must be positive"},
		{[]string{"extra"}, exitUsage, "unexpected arguments"},
		{[]string{"--list"}, 0, "restore-without-replace"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errb)
		if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.out) {
			t.Errorf("run %v = %d %q %q, want %d and %q", tt.args, code, out.String(), errb.String(), tt.code, tt.out)
		}
	}
}
