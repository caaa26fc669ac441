package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/sim/containers"
)

// TestDrillRunsAndReports runs one quick scenario end to end through the
// drill's own entry point and checks the report folder and the exit code.
// The tags select "The rebuilt primary must have its stores" (the engine
// plans the failback and refuses): every scenario runs in steps'
// TestFeatures, so this one only needs to exercise the drill around it
// (the tags "@embedded && ~@rehearsal && ~@slow" ran 19 scenarios, one at
// a time, again).
func TestDrillRunsAndReports(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"--tags", "@containers && ~@rehearsal && ~@slow", "--seed", "7", "--report", dir, "--concurrency", "1"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"seed 7", "▶ ", "✔ passed", "SCENARIO", "1 passed, 0 skipped, 0 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, f := range []string{"report.html", "junit.xml", "cucumber.json", "metrics.prom", "evidence.json", "schedule.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || len(b) == 0 {
			t.Errorf("report file %s: %v (%d bytes)", f, err, len(b))
		}
	}
	// Every file of the folder has the one mode, whoever wrote it.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want -rw-r--r-- like every report file", e.Name(), fi.Mode().Perm())
		}
	}
	junit, _ := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if strings.Contains(string(junit), `time="-`) || !strings.Contains(string(junit), "<testcase") {
		t.Errorf("junit.xml has a negative time or no test case:\n%s", junit)
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

// A tag expression that selects nothing is a failed drill, not a green
// one; it says which tags there are, and it leaves an earlier report as
// it was (nothing ran, so nothing is written).
func TestDrillNoScenarioIsAFailure(t *testing.T) {
	dir := t.TempDir()
	earlier := []byte("<html>an earlier rehearsal's evidence</html>")
	if err := os.WriteFile(filepath.Join(dir, "report.html"), earlier, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--tags", "@no-such-tag", "--report", dir}, &out, &errOut); code != exitFailed {
		t.Fatalf("exit %d, want %d", code, exitFailed)
	}
	msg := errOut.String() + out.String()
	for _, want := range []string{"no scenario matches", "@no-such-tag", "tags there are:", "@embedded (", "@chaos (3)", "left as it was"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("the report folder holds %d files, want only the earlier report.html", len(entries))
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "report.html")); !bytes.Equal(b, earlier) {
		t.Errorf("the earlier report.html was overwritten:\n%s", b)
	}
}

// A tag expression godog cannot read is a usage error that says how to
// write one, not a panic inside godog ("@a &&") or a selection of nothing
// without a word ("@a || @b").
func TestDrillBadTagsIsAUsageError(t *testing.T) {
	for _, expr := range []string{"@a &&", "&& @a", "@a && && @b", "@a || @b", "!@a", "not @a", "@a,", "~", "@a @b", "(@a)"} {
		dir := filepath.Join(t.TempDir(), "report")
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"--tags", expr, "--report", dir}, &out, &errOut)
		if code != exitUsage {
			t.Errorf("--tags %q: exit %d, want %d\n%s%s", expr, code, exitUsage, out.String(), errOut.String())
		}
		if msg := errOut.String(); !strings.Contains(msg, "bad --tags expression") || !strings.Contains(msg, "~ before a tag to exclude it") {
			t.Errorf("--tags %q: the message does not say what is wrong and how to write it: %s", expr, msg)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("--tags %q: the report folder was created", expr)
		}
	}
	for _, expr := range []string{"@embedded && ~@slow", "@happy,@chaos", "~@rehearsal", "@a && ~@b,@c", " @embedded "} {
		if _, err := parseTags(expr); err != nil {
			t.Errorf("--tags %q: %v", expr, err)
		}
	}
}

// The drill's tag rule is godog's, checked on the feature files: the
// selection --list shows is what a run would run.
func TestTagMatchingIsGodogs(t *testing.T) {
	all, err := catalog(features.FS)
	if err != nil {
		t.Fatal(err)
	}
	count := func(expr string) int {
		e, err := parseTags(expr)
		if err != nil {
			t.Fatal(err)
		}
		return len(selectScenarios(all, e))
	}
	if n := count(""); n != len(all) || n < 40 {
		t.Errorf("no tags select %d of %d scenarios", n, len(all))
	}
	if n := count("@chaos"); n != 3 {
		t.Errorf("@chaos selects %d scenarios, want the 3 rehearsals", n)
	}
	emb, slow, embNotSlow := count("@embedded"), count("@embedded && @slow"), count("@embedded && ~@slow")
	if emb != slow+embNotSlow || slow == 0 {
		t.Errorf("@embedded %d != @slow %d + ~@slow %d", emb, slow, embNotSlow)
	}
	if or, a, b := count("@happy,@chaos"), count("@happy"), count("@chaos"); or != a+b {
		t.Errorf("@happy,@chaos selects %d, want %d + %d", or, a, b)
	}
}

// drill --list prints the scenarios a selection runs, with their feature
// file and tags, and every tag with its count; it runs nothing.
func TestDrillList(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "report")
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--list", "--tags", "@chaos", "--report", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	s := out.String()
	for _, want := range []string{"Rehearsal 1 under the run's seeded fault schedule", "chaos.feature", "@rehearsal @chaos", "3 of ", "tags: ", "@containers ("} {
		if !strings.Contains(s, want) {
			t.Errorf("--list lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "The active server list is cleared and set again") {
		t.Errorf("--list --tags @chaos lists a scenario without @chaos:\n%s", s)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("--list created the report folder")
	}
}

// A scenario that prints nothing for the silence period gets a line that
// names the step it is in: a long restore never looks like a hang.
func TestRecorderSaysStillRunning(t *testing.T) {
	var buf bytes.Buffer
	r := newRecorder(&buf, time.Now())
	r.silence = 20 * time.Millisecond
	r.mu.Lock()
	now := r.now()
	r.order = append(r.order, &live{n: 4, step: "the engine runs the failback", stepAt: now, lastLine: now},
		&live{n: 5, done: true, lastLine: now.Add(-time.Hour)})
	r.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.watch(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		r.mu.Lock()
		got = buf.String()
		r.mu.Unlock()
		if strings.Contains(got, "still running") {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(got, "s4    … still running: the engine runs the failback (") {
		t.Fatalf("no progress line for the silent scenario:\n%s", got)
	}
	if strings.Contains(got, "s5 ") {
		t.Errorf("a finished scenario got a progress line:\n%s", got)
	}
}

// TestDrillSeedReproducesSchedule runs the seeded rehearsals once end to
// end with one seed, then draws their schedules again (--schedules-only:
// the worlds and the dry runs the draw depends on, no failback) with the
// same seed and with another: the same seed writes the same schedule.json
// (whatever order the scenarios ran in), another seed a different one,
// and the drill prints each schedule with its seed. Running the
// failbacks again would check the failbacks again, not the draw: the
// steps' scenario test runs them too.
func TestDrillSeedReproducesSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the @chaos rehearsals")
	}
	drill := func(seed string, extra ...string) []byte {
		t.Helper()
		dir := t.TempDir()
		var out, errOut bytes.Buffer
		args := append([]string{"--tags", "@chaos", "--seed", seed, "--report", dir}, extra...)
		code := run(context.Background(), args, &out, &errOut)
		if code != 0 {
			t.Fatalf("drill %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, out.String(), errOut.String())
		}
		if n := strings.Count(out.String(), "fault schedule (seed "+seed+"): Rehearsal"); n != 3 {
			t.Errorf("drill %v: the summary prints %d fault schedules, want 3:\n%s", args, n, out.String())
		}
		html, err := os.ReadFile(filepath.Join(dir, "report.html"))
		if err != nil || !strings.Contains(string(html), "Fault schedule (seed <b>"+seed+"</b>)") {
			t.Errorf("drill %v: report.html shows no fault schedule (%v)", args, err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "schedule.json"))
		if err != nil {
			t.Fatal(err)
		}
		var f ScheduleFile
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("schedule.json: %v\n%s", err, b)
		}
		if strconv.FormatInt(f.Seed, 10) != seed || len(f.Schedules) != 3 {
			t.Fatalf("schedule.json has seed %d and %d schedules, want %s and 3:\n%s", f.Seed, len(f.Schedules), seed, b)
		}
		want := "3 passed, 0 skipped, 0 failed"
		if len(extra) > 0 {
			want = "0 passed, 3 skipped, 0 failed"
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("drill %v: the summary does not say %q:\n%s", args, want, out.String())
		}
		return b
	}
	a := drill("11")
	b, c := drill("11", "--schedules-only"), drill("12", "--schedules-only")
	if !bytes.Equal(a, b) {
		t.Errorf("two runs with seed 11 wrote different schedules:\n%s\n--\n%s", a, b)
	}
	if bytes.Equal(a, bytes.ReplaceAll(c, []byte(`"seed": 12`), []byte(`"seed": 11`))) {
		t.Errorf("seeds 11 and 12 drew the same schedules:\n%s", a)
	}
}

// --schedules-only runs only scenarios that draw a schedule: any other
// would run in full.
func TestSchedulesOnlySelectsChaos(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"--schedules-only", "@chaos"},
		{"--schedules-only --tags ~@slow", "@chaos && ~@slow"},
		{"--schedules-only --target containers", "@chaos && @containers"},
	} {
		c, err := parse(strings.Fields(tc.args), io.Discard)
		if err != nil {
			t.Fatalf("%s: %v", tc.args, err)
		}
		if c.exprText != tc.want {
			t.Errorf("%s: tags %q, want %q", tc.args, c.exprText, tc.want)
		}
	}
}

// Scenarios that draw no schedule still get a schedule.json, empty, so a
// rerun can always be compared with the run it reproduces.
func TestScheduleJSONWithoutChaos(t *testing.T) {
	dir := t.TempDir()
	if err := writeScheduleJSON(filepath.Join(dir, "schedule.json"), 9, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f ScheduleFile
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
	if err != nil || !strings.Contains(string(html), "<th>Target</th><td>containers</td>") || !strings.Contains(string(html), "(target containers)") {
		t.Errorf("report.html does not name the target (%v)", err)
	}
}

// make run says it is building before anything else: a cold build prints
// nothing of its own for minutes, before the drill's first line.
func TestMakeRunSaysItIsBuilding(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make on this machine")
	}
	out, err := exec.Command("make", "-C", "../..", "-n", "run").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n run: %v\n%s", err, out)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "make") {
			lines = append(lines, l)
		}
	}
	if len(lines) < 2 || !strings.Contains(lines[0], "echo") || !strings.Contains(lines[0], "building the drill") {
		t.Fatalf("make run does not say it is building first:\n%s", out)
	}
	if !strings.Contains(lines[len(lines)-1], "drill --target") {
		t.Errorf("make run does not end by running the drill:\n%s", out)
	}
}
