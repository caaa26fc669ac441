package evidence

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata from the current output")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./evidence -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./evidence -update rewrites it after a deliberate change):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// fragment cuts the first element that starts with open out of an HTML
// page, up to its closing tag.
func fragments(t *testing.T, page, open, closing string) []byte {
	t.Helper()
	var out []byte
	rest := page
	for {
		i := strings.Index(rest, open)
		if i < 0 {
			break
		}
		j := strings.Index(rest[i:], closing)
		if j < 0 {
			t.Fatalf("%s is not closed", open)
		}
		out = append(out, rest[i:i+j+len(closing)]...)
		out = append(out, '\n')
		rest = rest[i+j+len(closing):]
	}
	if out == nil {
		t.Fatalf("the page has no %s", open)
	}
	return out
}

func render(t *testing.T, rep Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The verdict table and the step tables of a known set of runs, kept in
// testdata: a change to either shows as a diff to review.
func TestGoldenVerdictAndStepTable(t *testing.T) {
	page := render(t, fixtureReport())
	golden(t, "verdict.golden.html", fragments(t, page, `<section id="verdict">`, `</section>`))
	golden(t, "steps.golden.html", fragments(t, page, `<table class="steps">`, `</table>`))
	var txt bytes.Buffer
	WriteVerdicts(&txt, fixtureReport().Overall())
	for _, s := range fixtureReport().Sections {
		for _, j := range s.Judge() {
			txt.WriteString("\n" + s.Name + ":\n")
			WriteVerdicts(&txt, j.Verdicts)
		}
	}
	golden(t, "verdict.golden.txt", txt.Bytes())
}

func TestRunsFromEvents(t *testing.T) {
	runs := Runs(completedRun())
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1 (a resume keeps its run ID)", len(runs))
	}
	r := runs[0]
	if r.Invocations != 2 || r.Outcome != failback.OutcomeOK || r.Duration != 95*time.Second || r.Outage != 70*time.Second {
		t.Errorf("run %+v", r)
	}
	if len(r.Steps) != 9 {
		t.Fatalf("%d step rows, want 9 (2 in the first invocation, 7 in the resume)", len(r.Steps))
	}
	st := r.Steps[0]
	if st.Statements != 2 || st.Cmdlets != 1 || st.Duration() != 9*time.Second || st.Invocation != 1 || len(st.Sent) != 3 {
		t.Errorf("step 1: %+v", st)
	}
	if !strings.HasPrefix(st.State, "verified: clear the Persistent Chat active server list (before: ") {
		t.Errorf("step 1's state after: %q", st.State)
	}
	if r.Steps[1].Outcome != failback.OutcomeFailed || r.Steps[1].Error == "" || r.Steps[2].Invocation != 2 {
		t.Errorf("steps 2 and 3: %+v %+v", r.Steps[1], r.Steps[2])
	}
	if n := r.Steps[6].Notes; len(n) != 1 || !strings.Contains(n[0].Text, "attempt 1 failed") {
		t.Errorf("the retry note of step 5: %+v", n)
	}
	totals := r.StepTotals()
	if len(totals) != 7 || totals[0].Name != failback.StepClearActive || totals[0].Duration != 9*time.Second+10*time.Millisecond {
		t.Errorf("step totals %+v", totals)
	}
}

func TestVerdicts(t *testing.T) {
	o := Objectives{RTO: 5 * time.Minute, Outage: 2 * time.Minute, RPO: 10 * time.Second}
	ok := Runs(completedRun())[0]
	stopped := Runs(stoppedRun())[0]
	for _, tc := range []struct {
		name   string
		run    Run
		o      Objectives
		loss   *Loss
		status [3]string
		in     [3]string // a word each verdict's measured figure holds
	}{
		{"met", ok, o, &Loss{Count: 0}, [3]string{Met, Met, Met}, [3]string{"1m35s", "1m10s", "0 messages"}},
		{"over the rto", ok, Objectives{RTO: time.Minute, Outage: 2 * time.Minute}, nil, [3]string{NotMet, Met, NotMeasured}, [3]string{"1m35s", "1m10s", "-"}},
		{"outage over", ok, Objectives{RTO: 5 * time.Minute, Outage: time.Minute}, &Loss{Count: 2}, [3]string{Met, NotMet, NotMet}, [3]string{"1m35s", "1m10s", "2 messages"}},
		{"loss within the rpo", ok, o, &Loss{Count: 3, Since: t0.Add(-8 * time.Second)}, [3]string{Met, Met, Met}, [3]string{"", "", "9.5s before the cut-over"}},
		{"loss beyond the rpo", ok, o, &Loss{Count: 3, Since: t0.Add(-time.Minute)}, [3]string{Met, Met, NotMet}, [3]string{"", "", "1m1.5s before"}},
		{"stopped: chat still down past the objective", stopped, o, nil, [3]string{NotMet, NotMet, NotMeasured}, [3]string{"≥ 6m10s", "≥ 6m9s", "-"}},
	} {
		vs := Verdicts(tc.run, tc.o, tc.loss)
		for i, v := range vs {
			if v.Status != tc.status[i] || !strings.Contains(v.Measured, tc.in[i]) {
				t.Errorf("%s: %s is %q with %q, want %q with %q", tc.name, v.Objective, v.Status, v.Measured, tc.status[i], tc.in[i])
			}
		}
	}
	refused := Runs(refusedRun())[0]
	sec := Section{Runs: []Run{refused}, Objectives: o}
	if j := sec.Judge(); len(j) != 0 {
		t.Errorf("a refused run was judged: %+v", j)
	}
	if r := sec.Refusals(); len(r) != 1 || r[0].Check != "pool-failed-over" {
		t.Errorf("refusals %+v", r)
	}
	// A drill scenario that passed stops its failback on purpose: not judged.
	drill := Section{Runs: []Run{stopped}, Objectives: o, Result: ResultPassed, Gherkin: []GherkinStep{{Text: "x", Status: "passed"}}}
	if j := drill.Judge(); len(j) != 0 {
		t.Errorf("a stop the scenario caused was judged")
	}
	drill.Result = ResultFailed
	if j := drill.Judge(); len(j) != 1 {
		t.Errorf("a stop in a failed scenario was not judged")
	}
}

func TestOverallIsTheWorst(t *testing.T) {
	rep := fixtureReport()
	vs := rep.Overall()
	if vs[0].Status != NotMet || !strings.Contains(vs[0].Measured, "6m10s") || vs[0].Section != 3 || !strings.Contains(vs[0].Note, "1 of 2") {
		t.Errorf("RTO %+v", vs[0])
	}
	if vs[2].Status != Met || vs[2].Note != "1 of 1 failback run met it" {
		t.Errorf("RPO %+v", vs[2])
	}
	rep.Sections = rep.Sections[1:2] // only the refusal
	for _, v := range rep.Overall() {
		if v.Status != NotMeasured || !strings.Contains(v.Note, "no failback ran") {
			t.Errorf("refusal only: %+v", v)
		}
	}
}

// The page's first content is the verdict; a refused section shows the
// refusing precondition first; a drill has the SIMULATED banner, a real
// run not; no table row is blank.
func TestPageLayout(t *testing.T) {
	rep := fixtureReport()
	page := render(t, rep)
	if strings.Contains(page, "SIMULATED") {
		t.Error("a real run's report says SIMULATED")
	}
	body := page[strings.Index(page, "<body>"):]
	if i, j := strings.Index(body, `id="verdict"`), strings.Index(body, `id="header"`); i < 0 || j < i {
		t.Errorf("the verdict is not the first section")
	}
	sec := body[strings.Index(body, `id="s2"`):]
	sec = sec[:strings.Index(sec, "</section>")]
	afterHeading := sec[strings.Index(sec, "</h2>")+len("</h2>"):]
	if !strings.HasPrefix(strings.TrimSpace(afterHeading), `<div class="refusal"><b>Refused by precondition pool-failed-over</b>: pool state is Normal`) {
		t.Errorf("the refused section does not open with its refusal:\n%.400s", afterHeading)
	}
	for _, want := range []string{"version v1.2.3, commit <code>0123456789abcdef</code>", "prod.yaml</code> sha256:feedface", "alice on rehearsal01",
		"2026-03-02 09:00:00.000", "failback run --topology prod.yaml"} {
		if !strings.Contains(page, want) {
			t.Errorf("the header lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`<tr>(\s*<t[dh][^>]*>\s*</t[dh]>)+\s*</tr>`).FindString(page); m != "" {
		t.Errorf("a blank row: %s", m)
	}
	if m := regexp.MustCompile(`<td>[^<]*</td><td>events?</td>`).FindString(page); m != "" {
		t.Errorf("an event row without a description: %s", m)
	}
	rep.Header.Simulated, rep.Header.Target = true, "embedded"
	if p := render(t, rep); !strings.Contains(p, `<div class="banner" id="simulated">SIMULATED`) || strings.Index(p, "SIMULATED:") > strings.Index(p, `id="verdict"`) {
		t.Error("a drill's report has no SIMULATED banner above everything")
	}
}

func TestJUnitNeverNegative(t *testing.T) {
	rep := fixtureReport()
	// A step whose end is before its start (a clock stepped back) and a
	// scenario measured as negative must still read 0, never below.
	rep.Sections[0].Runs[0].Steps[0].End = rep.Sections[0].Runs[0].Steps[0].Start.Add(-time.Second)
	rep.Sections = append(rep.Sections, Section{Name: "a scenario", URI: "x.feature", Result: ResultFailed, Error: "boom\nmore", Duration: -time.Second,
		Gherkin: []GherkinStep{{Keyword: "Given", Text: "a step", Status: "failed", Error: "boom"}}})
	var b bytes.Buffer
	if err := WriteJUnit(&b, rep); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `time="-`) {
		t.Errorf("a negative time:\n%s", b.String())
	}
	var suites junitSuites
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Tests != 11+2+5+1 || suites.Failures != 4 || suites.Skipped != 1 || len(suites.Suites) != 4 {
		t.Errorf("tests %d failures %d skipped %d suites %d", suites.Tests, suites.Failures, suites.Skipped, len(suites.Suites))
	}
}

func TestFolderFilesShareOneMode(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFolder(dir, fixtureReport()); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{HTMLFile, JUnitFile, EvidenceFile} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != FileMode {
			t.Errorf("%s: mode %v, want %v", f, fi.Mode().Perm(), FileMode)
		}
	}
	back, err := ReadJSON(filepath.Join(dir, EvidenceFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Sections) != 3 || back.Sections[0].Runs[0].Steps[6].Sent[0].Text == "" || back.Overall()[0].Status != NotMet {
		t.Errorf("evidence.json does not read back: %+v", back.Sections)
	}
}
