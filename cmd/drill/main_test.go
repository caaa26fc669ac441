package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDrillRunsAndReports runs one quick scenario end to end through the
// drill's own entry point and checks the report folder and the exit code.
func TestDrillRunsAndReports(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--tags", "@embedded && ~@rehearsal && ~@slow", "--seed", "7", "--report", dir, "--concurrency", "1"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"seed 7", "▶ ", "✔ passed", "SCENARIO", "passed, 0 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, f := range []string{"report.html", "junit.xml", "cucumber.json", "metrics.prom"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) == 0 {
			t.Errorf("report file %s: %v (%d bytes)", f, err, len(b))
		}
	}
	prom, _ := os.ReadFile(filepath.Join(dir, "metrics.prom"))
	if !strings.Contains(string(prom), `drill_scenarios{result="failed"} 0`) {
		t.Errorf("metrics.prom does not report zero failed scenarios:\n%s", prom)
	}
}

func TestDrillUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--target", "mainframe"},
		{"--concurrency", "0"},
		{"extra-argument"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append(args, "--report", t.TempDir()), &out, &errOut); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, errOut.String())
		}
	}
}

// A tag expression that selects nothing is a failed drill, not a green one.
func TestDrillNoScenarioIsAFailure(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--tags", "@no-such-tag", "--report", t.TempDir()}, &out, &errOut); code != exitFailed {
		t.Fatalf("exit %d, want %d", code, exitFailed)
	}
	if !strings.Contains(errOut.String()+out.String(), "no scenario") {
		t.Errorf("no message says that no scenario matched:\n%s\n%s", out.String(), errOut.String())
	}
}
