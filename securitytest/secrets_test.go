package securitytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/steps"
)

// generatedSecret is the shape of every secret the world generates
// (sim/world newPassword). It lets a scan of a separate process's output,
// whose worlds' secret files are gone, still find a leak; the in-process
// test checks the pattern against the real secrets so it is not vacuous.
var generatedSecret = regexp.MustCompile(`Sim-[0-9a-f]{24}!`)

// leaks reports every (output, secret) pair where the secret appears, in
// clear or JSON-escaped.
func leaks(outputs map[string][]byte, secrets []string) []string {
	var found []string
	for name, b := range outputs {
		for _, s := range secrets {
			esc, _ := json.Marshal(s)
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, bytes.Trim(esc, `"`)) {
				found = append(found, fmt.Sprintf("%s holds a secret (%d characters, starting %q)", name, len(s), s[:4]))
			}
		}
		if m := generatedSecret.Find(b); m != nil {
			found = append(found, fmt.Sprintf("%s holds a generated secret's shape at byte %d", name, bytes.Index(b, m)))
		}
	}
	return found
}

// readTree reads every file under dir.
func readTree(t *testing.T, dir string, into map[string][]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		into[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The drill's scenarios, run in-process as cmd/drill runs them, write
// every output the drill writes (godog's formatters, report.html,
// metrics.prom, the timelines, the step library's log); none holds any
// secret of any scenario's world.
func TestDrillOutputsHoldNoSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every embedded scenario")
	}
	worlds, out := t.TempDir(), t.TempDir()
	var (
		mu       sync.Mutex
		found    []string
		problems []string
		results  []evidence.Section
		runs     = map[string][]evidence.Run{}
		logs     bytes.Buffer
		metricsN int
	)
	var console bytes.Buffer
	suite := godog.TestSuite{
		Name: "secrets",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			steps.Initializer(steps.Options{
				TempDir: worlds,
				Logf: func(format string, args ...any) {
					mu.Lock()
					fmt.Fprintf(&logs, format+"\n", args...)
					mu.Unlock()
				},
				OnWorld: func(name string, w *world.World) {
					refs := []topology.SecretRef{w.Topology.Management.Password}
					for _, in := range w.Topology.Instances {
						refs = append(refs, in.Password)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, r := range refs {
						v, err := r.Resolve()
						if err != nil {
							problems = append(problems, fmt.Sprintf("%s: %v", name, err))
							continue
						}
						found = append(found, v)
					}
					sec := evidence.Section{Name: name, Result: evidence.ResultPassed, Runs: runs[name]}
					for _, e := range w.Timeline.Events() {
						sec.Marks = append(sec.Marks, evidence.Mark{At: e.At, Component: e.Component, Kind: e.Kind, Detail: e.Detail, Err: e.Err})
					}
					results = append(results, sec)
				},
				OnResult: func(name string, r steps.Result) {
					mu.Lock()
					runs[name] = evidence.Runs(r.Events)
					mu.Unlock()
					if r.Metrics == nil {
						return
					}
					mu.Lock()
					metricsN++
					path := filepath.Join(out, fmt.Sprintf("engine-%d.prom", metricsN))
					mu.Unlock()
					if err := r.Metrics.WriteTextfile(path); err != nil {
						mu.Lock()
						problems = append(problems, err.Error())
						mu.Unlock()
					}
				},
			})(sc)
		},
		Options: &godog.Options{
			Format:      fmt.Sprintf("pretty,junit:%s,cucumber:%s", filepath.Join(out, "junit.xml"), filepath.Join(out, "cucumber.json")),
			Output:      &console,
			FS:          features.FS,
			Paths:       []string{"."},
			Tags:        "~@containers && @embedded && ~@slow",
			Concurrency: 1,
		},
	}
	status := suite.Run()
	t.Logf("godog status %d over %d worlds", status, len(results))
	if len(problems) > 0 {
		t.Fatalf("collecting secrets: %s", strings.Join(problems, "; "))
	}
	// report.html, junit.xml and evidence.json, every statement included.
	if err := evidence.WriteFolder(filepath.Join(out, "evidence"), evidence.Report{Header: evidence.Header{Target: "embedded", Simulated: true}, Sections: results}); err != nil {
		t.Fatal(err)
	}
	tl, err := json.Marshal(results)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) < 2*len(results) || len(results) == 0 { // an instance and the endpoint at least
		t.Fatalf("%d secrets from %d worlds: the scan would prove nothing", len(found), len(results))
	}
	for _, s := range found {
		if !generatedSecret.MatchString(s) {
			t.Errorf("a generated secret (%d characters) does not have the shape the binary scan looks for", len(s))
		}
	}
	outputs := map[string][]byte{"console": console.Bytes(), "step log": logs.Bytes(), "timelines": tl}
	readTree(t, out, outputs)
	for _, name := range []string{"junit.xml", "cucumber.json", "evidence/report.html", "evidence/evidence.json", "evidence/junit.xml"} {
		if len(outputs[name]) == 0 {
			t.Errorf("%s was not written", name)
		}
	}
	if metricsN == 0 {
		t.Error("no engine run wrote metrics")
	}
	if l := leaks(outputs, found); len(l) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(l, "\n"))
	}
}

// The drill binary, as an operator runs it: its console and report folder
// hold nothing shaped like a generated secret.
func TestDrillBinaryOutputsHoldNoSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/drill")
	}
	dir := t.TempDir()
	bin := binary(t, "cmd/drill")
	r := runIn(t, dir, bin, "--tags", "@rehearsal", "--report", filepath.Join(dir, "report"))
	outputs := map[string][]byte{"stdout": r.stdout.Bytes(), "stderr": r.stderr.Bytes()}
	readTree(t, filepath.Join(dir, "report"), outputs)
	if len(outputs["metrics.prom"]) == 0 || len(outputs["report.html"]) == 0 {
		t.Fatalf("the drill wrote no report (%s)", r)
	}
	if l := leaks(outputs, nil); len(l) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(l, "\n"))
	}
}

// Every output of the engine CLI (plan, run with a journal, JSON events
// and a metrics textfile, status), and its error output when a password
// is wrong, holds none of the world's secrets nor the wrong password.
func TestEngineOutputsHoldNoSecret(t *testing.T) {
	w := preFailback(t, nil)
	dir := t.TempDir()
	top := filepath.Join(dir, "topology.yaml")
	if err := topology.WriteFile(top, w.Topology); err != nil {
		t.Fatal(err)
	}
	journal, prom := filepath.Join(dir, "failback.journal"), filepath.Join(dir, "failback.prom")
	fqdn := w.Topology.Pool.FQDN
	outputs := map[string][]byte{}
	collect := func(name string, r *engineRun) {
		outputs[name+" stdout"], outputs[name+" stderr"] = r.stdout.Bytes(), r.stderr.Bytes()
	}
	plan := runEngine(t, dir, "plan", "--topology", top, "--json")
	collect("plan", plan)
	run := runEngine(t, dir, "run", "--topology", top, "--journal", journal, "--confirm", fqdn, "--json", "--metrics-textfile", prom,
		"--session-drain-timeout", "60s", "--chat-arrival-timeout", "60s", "--job-timeout", "60s")
	collect("run", run)
	if run.code != 0 {
		t.Fatalf("failback run: %s", run)
	}
	collect("status", runEngine(t, dir, "status", "--journal", journal))

	// A wrong SQL password and a wrong management password: the errors
	// must say what failed without echoing either.
	wrong := "Sim-0123456789abcdef01234567!"
	bad := *w.Topology
	bad.Instances = append([]topology.Instance(nil), w.Topology.Instances...)
	wrongFile := filepath.Join(dir, "wrong.password")
	if err := os.WriteFile(wrongFile, []byte(wrong+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*topology.Topology)
	}{
		{"wrong sql password", func(x *topology.Topology) { x.Instances[0].Password = topology.SecretRef{File: wrongFile} }},
		{"wrong management password", func(x *topology.Topology) { x.Management.Password = topology.SecretRef{File: wrongFile} }},
	} {
		x := bad
		x.Instances = append([]topology.Instance(nil), bad.Instances...)
		c.edit(&x)
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
		if err := topology.WriteFile(p, &x); err != nil {
			t.Fatal(err)
		}
		r := runEngine(t, dir, "plan", "--topology", p)
		if r.code == 0 {
			t.Errorf("%s: plan succeeded", c.name)
		}
		collect(c.name, r)
	}
	readTree(t, dir, outputs)
	delete(outputs, "wrong.password") // the secret file itself
	all := append(secrets(t, w.Topology), wrong)
	if len(outputs["failback.journal"]) == 0 || len(outputs["failback.prom"]) == 0 {
		t.Fatal("the run wrote no journal or metrics")
	}
	if l := leaks(outputs, all); len(l) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(l, "\n"))
	}
}
