package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback"
)

// status refuses a journal that holds no run, as resume does, instead of
// summarising "run : plan  of" with an outcome.
func TestStatusRefusesAnEmptyJournal(t *testing.T) {
	j := filepath.Join(t.TempDir(), "empty.journal")
	if err := os.WriteFile(j, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := cli("status", "--journal", j)
	if code != exitUsage || !strings.Contains(stderr, "holds no run") || out != "" {
		t.Errorf("status of an empty journal: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// A real run records its header at its start; `failback report` writes
// the evidence from the journal alone; `failback history` finds the run
// in the journal and in the report folder once.
func TestReportAndHistoryOfARealRun(t *testing.T) {
	setSecrets(t)
	useMemory(t, nil)
	dir := t.TempDir()
	j := filepath.Join(dir, "failback.journal")
	if code, _, stderr := cli("run", "--topology", topoFile, "--journal", j, "--confirm", pool); code != exitDone {
		t.Fatalf("run exit %d: %s", code, stderr)
	}
	evs, _, err := failback.ReadJournalFile(j)
	if err != nil || len(evs) == 0 {
		t.Fatal(err)
	}
	a := evs[0].Attrs
	for _, k := range []string{evidence.AttrOperator, evidence.AttrHost, evidence.AttrVersion, evidence.AttrCommit, evidence.AttrTopologyDigest, evidence.AttrRTO, evidence.AttrCommand} {
		if a[k] == "" {
			t.Errorf("the run-start event does not record %s: %v", k, a)
		}
	}
	if !strings.HasPrefix(a[evidence.AttrTopologyDigest], "sha256:") || a[evidence.AttrRTO] != "5m0s" || !strings.Contains(a[evidence.AttrCommand], "--confirm pchat.contoso.test") {
		t.Errorf("run-start attributes %v", a)
	}

	out := filepath.Join(dir, "evidence-q1")
	code, stdout, stderr := cli("report", "--journal", j, "--out", out)
	if code != exitDone {
		t.Fatalf("report exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "RTO    MET") || !strings.Contains(stdout, "report: "+filepath.Join(out, "report.html")) {
		t.Errorf("report output:\n%s", stdout)
	}
	for _, f := range []string{"report.html", "junit.xml", "evidence.json", "metrics.prom"} {
		fi, err := os.Stat(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o644 || fi.Size() == 0 {
			t.Errorf("%s: mode %v, %d bytes", f, fi.Mode().Perm(), fi.Size())
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "report.html"))
	page := string(html)
	for _, want := range []string{`<td class="v-met">met</td>`, "Persistent Chat failback run", "restore-primary-mgc", "sha256:", "RESTORE DATABASE [mgc]"} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	if strings.Contains(page, "SIMULATED") {
		t.Error("a real run's report says SIMULATED")
	}
	if i, k := strings.Index(page, `id="verdict"`), strings.Index(page, `id="header"`); i < 0 || k < i {
		t.Error("the verdict is not first")
	}
	prom, _ := os.ReadFile(filepath.Join(out, "metrics.prom"))
	for _, want := range []string{`failback_runs_total{outcome="ok"} 1`, "failback_rto_objective_seconds 300", `failback_step_duration_seconds{step="restore-primary-mgc"}`} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("metrics.prom lacks %s", want)
		}
	}
	junit, _ := os.ReadFile(filepath.Join(out, "junit.xml"))
	if n := strings.Count(string(junit), "<testcase"); n < 7 || strings.Contains(string(junit), `time="-`) {
		t.Errorf("junit.xml: %d test cases\n%s", n, junit)
	}

	// A second rehearsal, then the history of both.
	j2 := filepath.Join(dir, "q2", "failback.journal")
	if err := os.MkdirAll(filepath.Dir(j2), 0o755); err != nil {
		t.Fatal(err)
	}
	useMemory(t, nil)
	if code, _, stderr := cli("run", "--topology", topoFile, "--journal", j2, "--confirm", pool); code != exitDone {
		t.Fatalf("second run exit %d: %s", code, stderr)
	}
	page2 := filepath.Join(dir, "trend", "history.html")
	code, stdout, stderr = cli("history", "--out", page2, dir)
	if code != exitDone {
		t.Fatalf("history exit %d: %s", code, stderr)
	}
	rows := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+failback\s+ok\s`).FindAllString(stdout, -1)
	if len(rows) != 2 {
		t.Errorf("history lists %d runs, want 2 (the first found in its journal and its report folder counts once):\n%s", len(rows), stdout)
	}
	if !strings.Contains(stdout, "S4") || !strings.Contains(stdout, "S4 restore-primary-mgc") || !strings.Contains(stdout, "trend: "+page2) {
		t.Errorf("history output:\n%s", stdout)
	}
	b, err := os.ReadFile(page2)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<svg", "Trend: run time and chat outage", "S4 restore-primary-mgc"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("history.html lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?i)(src|href)="https?:`).Match(b) {
		t.Error("history.html loads something from outside")
	}
}

func TestReportUsage(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.journal")
	os.WriteFile(empty, nil, 0o600)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"report", "--journal", empty}, "--journal and --out are required"},
		{[]string{"report", "--out", dir}, "--journal and --out are required"},
		{[]string{"report", "--journal", empty, "--out", filepath.Join(dir, "x")}, "holds no run"},
		{[]string{"report", "--journal", filepath.Join(dir, "none"), "--out", filepath.Join(dir, "x")}, "no such file"},
		{[]string{"history"}, "name at least one folder"},
		{[]string{"history", dir}, "no run found"},
	} {
		code, _, stderr := cli(c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q lacks %q", c.args, code, stderr, c.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Error("a refused report created its folder")
	}
}
