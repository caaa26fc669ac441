package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/sim/containers"
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
	for _, want := range []string{"seed 7", "▶ ", "✔ passed", "SCENARIO", "passed, 0 skipped, 0 failed"} {
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
		{"--concurrency", "-1"},
		{"extra-argument"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append(args, "--report", t.TempDir()), &out, &errOut); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, errOut.String())
		}
	}
}

// The default concurrency is the target's: embedded scenarios mostly wait,
// container scenarios start five containers each.
func TestDrillDefaultConcurrency(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, 3},
		{[]string{"--target", "containers"}, 2},
		{[]string{"--target", "containers", "--concurrency", "5"}, 5},
		{[]string{"--concurrency", "1"}, 1},
	} {
		c, err := parse(tt.args, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if c.concurrency != tt.want {
			t.Errorf("%v: concurrency %d, want %d", tt.args, c.concurrency, tt.want)
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

// TestDrillSeedReproducesSchedule runs the seeded rehearsals twice with
// one seed and once with another: the same seed writes the same
// schedule.json (whatever order the scenarios ran in), another seed a
// different one, and the drill prints each schedule with its seed.
func TestDrillSeedReproducesSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the @chaos rehearsals three times")
	}
	drill := func(seed string) []byte {
		t.Helper()
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"--tags", "@chaos", "--seed", seed, "--report", dir}, &out, &errOut)
		if code != 0 {
			t.Fatalf("seed %s: exit %d\nstdout:\n%s\nstderr:\n%s", seed, code, out.String(), errOut.String())
		}
		if n := strings.Count(out.String(), "fault schedule (seed "+seed+"): Rehearsal"); n != 3 {
			t.Errorf("seed %s: the summary prints %d fault schedules, want 3:\n%s", seed, n, out.String())
		}
		html, err := os.ReadFile(filepath.Join(dir, "report.html"))
		if err != nil || !strings.Contains(string(html), "Fault schedule (seed <b>"+seed+"</b>)") {
			t.Errorf("seed %s: report.html shows no fault schedule (%v)", seed, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "schedule.json"))
		if err != nil {
			t.Fatal(err)
		}
		var f evidence.ScheduleFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("schedule.json: %v\n%s", err, b)
		}
		if strconv.FormatInt(f.Seed, 10) != seed || len(f.Schedules) != 3 {
			t.Fatalf("schedule.json has seed %d and %d schedules, want %s and 3:\n%s", f.Seed, len(f.Schedules), seed, b)
		}
		return b
	}
	a, b, c := drill("11"), drill("11"), drill("12")
	if !bytes.Equal(a, b) {
		t.Errorf("two runs with seed 11 wrote different schedules:\n%s\n--\n%s", a, b)
	}
	if bytes.Equal(a, bytes.ReplaceAll(c, []byte(`"seed": 12`), []byte(`"seed": 11`))) {
		t.Errorf("seeds 11 and 12 drew the same schedules:\n%s", a)
	}
}

// Scenarios that draw no schedule still get a schedule.json, empty, so a
// rerun can always be compared with the run it reproduces.
func TestScheduleJSONWithoutChaos(t *testing.T) {
	dir := t.TempDir()
	if err := evidence.WriteScheduleJSON(filepath.Join(dir, "schedule.json"), 9, []evidence.Scenario{{Name: "plain"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f evidence.ScheduleFile
	if err := json.Unmarshal(b, &f); err != nil || f.Seed != 9 || f.Schedules == nil || len(f.Schedules) != 0 {
		t.Fatalf("schedule.json %s: %+v, %v", b, f, err)
	}
}

// TestDrillContainersTarget runs the quickest @containers scenario with its
// SQL Servers in containers through the drill's entry point: the report
// names the target, and the run passes. Without Docker the drill refuses
// with a usage error that says why.
func TestDrillContainersTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("starts SQL Server containers")
	}
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--target", "containers", "--tags", "~@rehearsal", "--seed", "3", "--report", dir}, &out, &errOut)
	if err := containers.Available(context.Background()); err != nil {
		if code != exitUsage || !strings.Contains(errOut.String(), "needs a Docker daemon") {
			t.Fatalf("without Docker: exit %d, stderr %s", code, errOut.String())
		}
		t.Skipf("the containers target needs Docker: %v", err)
	}
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"target containers", "The rebuilt primary must have its stores", "1 passed, 0 skipped, 0 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !strings.Contains(string(html), "Target <b>containers</b>") {
		t.Errorf("report.html does not name the target (%v)", err)
	}
}
