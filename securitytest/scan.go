package securitytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/steps"
)

// generatedSecret is the shape of every secret the world generates
// (sim/world newPassword). It lets a scan of a separate process's output,
// whose worlds' secret files are gone, still find a leak; Scan checks the
// pattern against the real secrets so it is not vacuous.
var generatedSecret = regexp.MustCompile(`Sim-[0-9a-f]{24}!`)

// Leaks reports every (output, secret) pair where the secret appears, in
// clear or JSON-escaped, and every output holding something shaped like
// a generated secret.
//
// A secret of the generated shape reads the same JSON-escaped, so one pass
// of the shape's pattern over an output finds every such secret in it (a
// set lookup per match); only the others are searched for one by one. The
// scenario suite's scan holds hundreds of generated secrets (five or more
// per world): searching every output for each, twice, was most of the
// scan's time.
func Leaks(outputs map[string][]byte, secrets []string) []string {
	shaped := map[string]bool{}
	var others []string
	for _, s := range secrets {
		if generatedSecret.FindString(s) == s {
			shaped[s] = true
		} else {
			others = append(others, s)
		}
	}
	leak := func(name, s string) string {
		return fmt.Sprintf("%s holds a secret (%d characters, starting %q)", name, len(s), s[:4])
	}
	var found []string
	for name, b := range outputs {
		matches := generatedSecret.FindAllIndex(b, -1)
		seen := map[string]bool{}
		for _, m := range matches {
			if s := string(b[m[0]:m[1]]); shaped[s] && !seen[s] {
				seen[s] = true
				found = append(found, leak(name, s))
			}
		}
		for _, s := range others {
			esc, _ := json.Marshal(s)
			if bytes.Contains(b, []byte(s)) || bytes.Contains(b, bytes.Trim(esc, `"`)) {
				found = append(found, leak(name, s))
			}
		}
		if len(matches) > 0 {
			found = append(found, fmt.Sprintf("%s holds a generated secret's shape at byte %d", name, matches[0][0]))
		}
	}
	return found
}

// ReadTree reads every file under dir into into, by path relative to dir.
func ReadTree(dir string, into map[string][]byte) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
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
}

// Secrets are the secrets a topology refers to (a world generates them
// and keeps them in files): every instance's sa password and the
// management endpoint's.
func Secrets(top *topology.Topology) ([]string, error) {
	refs := []topology.SecretRef{top.Management.Password}
	for _, in := range top.Instances {
		refs = append(refs, in.Password)
	}
	var out []string
	for _, r := range refs {
		v, err := r.Resolve()
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", r, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// A Scan gathers, over one run of scenarios, every output the drill
// writes for them (godog's console, junit and cucumber output, the step
// library's log, the engines' metrics textfiles, the timelines and the
// evidence folder: report.html, evidence.json, junit.xml) and every
// secret their worlds generated, then reports any secret found in any
// output. A test that runs scenarios anyway hands it
// to the step library (steps' TestFeatures does), so every scenario's
// output is scanned once, where it runs, instead of a second run of the
// whole suite for the scan.
type Scan struct {
	dir, target string

	mu       sync.Mutex
	secrets  []string
	problems []string
	results  []evidence.Section
	runs     map[string][]evidence.Run // engine runs by scenario (OnResult comes before OnWorld)
	logs     bytes.Buffer
	console  bytes.Buffer
	metricsN int
}

// NewScan is a scan writing into dir (it must exist) for a run on target.
func NewScan(dir string, target world.Target) *Scan {
	if target == "" {
		target = world.TargetEmbedded
	}
	return &Scan{dir: dir, target: string(target), runs: map[string][]evidence.Run{}}
}

// Options hooks the scan into the step library's options, keeping the
// hooks already set.
func (s *Scan) Options(o steps.Options) steps.Options {
	onWorld, onResult, logf := o.OnWorld, o.OnResult, o.Logf
	o.Logf = func(format string, args ...any) {
		s.mu.Lock()
		fmt.Fprintf(&s.logs, format+"\n", args...)
		s.mu.Unlock()
		if logf != nil {
			logf(format, args...)
		}
	}
	o.OnWorld = func(name string, w *world.World) {
		found, err := Secrets(w.Topology)
		s.mu.Lock()
		if err != nil {
			s.problems = append(s.problems, fmt.Sprintf("%s: %v", name, err))
		}
		s.secrets = append(s.secrets, found...)
		sec := evidence.Section{Name: name, Result: evidence.ResultPassed, Runs: s.runs[name]}
		for _, e := range w.Timeline.Events() {
			sec.Marks = append(sec.Marks, evidence.Mark{At: e.At, Component: e.Component, Kind: e.Kind, Detail: e.Detail, Err: e.Err})
		}
		s.results = append(s.results, sec)
		s.mu.Unlock()
		if onWorld != nil {
			onWorld(name, w)
		}
	}
	o.OnResult = func(name string, r steps.Result) {
		s.mu.Lock()
		s.runs[name] = evidence.Runs(r.Events)
		s.mu.Unlock()
		if r.Metrics != nil {
			s.mu.Lock()
			s.metricsN++
			path := filepath.Join(s.dir, fmt.Sprintf("engine-%d.prom", s.metricsN))
			s.mu.Unlock()
			if err := r.Metrics.WriteTextfile(path); err != nil {
				s.mu.Lock()
				s.problems = append(s.problems, err.Error())
				s.mu.Unlock()
			}
		}
		if onResult != nil {
			onResult(name, r)
		}
	}
	return o
}

// Format is godog's format: console on top of junit and cucumber files
// in the scan's folder, as the drill writes them.
func (s *Scan) Format(console string) string {
	return fmt.Sprintf("%s,junit:%s,cucumber:%s", console, filepath.Join(s.dir, "junit.xml"), filepath.Join(s.dir, "cucumber.json"))
}

// Console is where godog's console output goes: to also (the test's
// output) and into the scan.
func (s *Scan) Console(also io.Writer) io.Writer { return io.MultiWriter(also, &s.console) }

// Check writes the evidence folder and the timelines as the drill does, reads
// everything the run wrote and fails t on a leak, or when the scan would
// prove nothing (no world, too few secrets, an output the drill writes
// missing).
func (s *Scan) Check(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.problems) > 0 {
		t.Fatalf("secret scan: collecting secrets: %s", strings.Join(s.problems, "; "))
	}
	if len(s.results) == 0 || len(s.secrets) < 2*len(s.results) { // an instance and the endpoint at least
		t.Fatalf("secret scan: %d secrets from %d worlds: the scan would prove nothing", len(s.secrets), len(s.results))
	}
	for _, sec := range s.secrets {
		if !generatedSecret.MatchString(sec) {
			t.Errorf("secret scan: a generated secret (%d characters) does not have the shape the binary scan looks for", len(sec))
		}
	}
	// report.html, junit.xml and evidence.json, every statement included.
	rep := evidence.Report{Header: evidence.Header{Target: s.target, Simulated: true}, Sections: s.results}
	if err := evidence.WriteFolder(filepath.Join(s.dir, "evidence"), rep); err != nil {
		t.Fatal(err)
	}
	tl, err := json.Marshal(s.results)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]byte{"console": s.console.Bytes(), "step log": s.logs.Bytes(), "timelines": tl}
	if err := ReadTree(s.dir, outputs); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"junit.xml", "cucumber.json", "evidence/report.html", "evidence/evidence.json", "evidence/junit.xml"} {
		if len(outputs[name]) == 0 {
			t.Errorf("secret scan: %s was not written", name)
		}
	}
	if s.metricsN == 0 {
		t.Error("secret scan: no engine run wrote metrics")
	}
	if l := Leaks(outputs, s.secrets); len(l) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(l, "\n"))
	}
	t.Logf("secret scan: %d outputs of %d worlds hold none of their %d secrets", len(outputs), len(s.results), len(s.secrets))
}
