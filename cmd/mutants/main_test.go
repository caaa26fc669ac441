package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/mutants"
)

// The real plan passes the rehearsal (the control is not "caught"), and two
// mutants that the simulator refuses with real SQL Server errors are
// caught. Kept to failback.feature (the procedure itself) so it runs in
// seconds.
func TestControlPassesAndMutantsAreCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three scenario suites")
	}
	c := config{tags: "@rehearsal && ~@slow", paths: []string{"failback.feature"}, stepTimeout: 20 * time.Second, concurrency: 2}
	ctx := context.Background()
	tests := []struct {
		m          mutants.Mutant
		wantCaught bool
		wantErr    string // in the first failure
	}{
		{mutants.Control(), false, ""},
		{must(t, "restore-without-replace"), true, "(3154)"},
		{must(t, "skip-clear-active"), true, "(3101)"},
	}
	for _, tt := range tests {
		t.Run(tt.m.Name, func(t *testing.T) {
			o := runMutant(ctx, tt.m, c)
			if o.Scenarios == 0 {
				t.Fatal("no scenario ran")
			}
			if o.Caught != tt.wantCaught {
				t.Fatalf("caught = %v, want %v (%s)", o.Caught, tt.wantCaught, o.why())
			}
			if tt.wantErr != "" && !strings.Contains(o.Err, tt.wantErr) {
				t.Errorf("first failure %q, want it to contain %q", o.Err, tt.wantErr)
			}
		})
	}
}

func must(t *testing.T, name string) mutants.Mutant {
	m, ok := mutants.ByName(name)
	if !ok {
		t.Fatalf("no mutant %s", name)
	}
	return m
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

// A full run ends with the summary line and exits 0 when all are caught.
func TestSummaryLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs two scenario suites")
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--tags", "@rehearsal && ~@slow", "--features", "failback.feature", "--mutants", "restore-without-replace"}, &out, &errb)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if code != 0 || lines[len(lines)-1] != "caught 1 of 1 mutants" {
		t.Errorf("exit %d, output:\n%s\n%s", code, out.String(), errb.String())
	}
}
