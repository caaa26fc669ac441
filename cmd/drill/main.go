// Command drill is the harness's main job: it runs the Gherkin scenarios
// against a simulated deployment (embedded by default), prints progress and a
// summary, and writes a report folder (report.html, junit.xml, schedule.json,
// cucumber.json, metrics.prom). It exits 0 only when every scenario passed.
//
//	drill [--target embedded|containers] [--tags EXPR] [--seed N] [--report DIR] [--pushgateway URL]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/cucumber/godog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback/metrics"
	"github.com/pchatdr/harness/features"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/steps"
)

// Exit codes: 0 all scenarios passed, 1 a scenario failed, 3 usage or setup error.
const (
	exitFailed = 1
	exitUsage  = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	target, tags, reportDir, pushgateway string
	seed                                 int64
	concurrency                          int
}

func parse(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("drill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.target, "target", "embedded", "where the SQL Server instances run: embedded or containers")
	fs.StringVar(&c.tags, "tags", "", `godog tag expression to select scenarios, e.g. "@embedded && ~@slow"`)
	fs.Int64Var(&c.seed, "seed", 0, "seed for every random choice of the run (0: pick one and print it)")
	fs.StringVar(&c.reportDir, "report", "report", "folder for report.html, junit.xml, cucumber.json, metrics.prom")
	fs.StringVar(&c.pushgateway, "pushgateway", "", "Prometheus Pushgateway URL to push the run's metrics to")
	fs.IntVar(&c.concurrency, "concurrency", 0, "scenarios run at once (0: 3 embedded, 2 on containers)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	target, err := world.ParseTarget(c.target)
	if err != nil {
		return c, err
	}
	if c.concurrency < 0 {
		return c, errors.New("--concurrency must be at least 1 (0: the target's default)")
	}
	if c.concurrency == 0 {
		// An embedded scenario mostly waits (on Agent jobs, on chat
		// servers' polls): on the 2-core VM three at once keep the cores
		// about half busy and bring the suite from 55-60 s to 44-45 s.
		// A container scenario starts five containers; two at once.
		c.concurrency = 3
		if target == world.TargetContainers {
			c.concurrency = 2
		}
	}
	if c.seed == 0 {
		c.seed = rand.Int64N(1<<53) + 1
	}
	return c, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parse(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, "drill:", err)
		}
		return exitUsage
	}
	if err := os.MkdirAll(c.reportDir, 0o755); err != nil {
		fmt.Fprintln(stderr, "drill:", err)
		return exitUsage
	}
	fmt.Fprintf(stdout, "drill: target %s, seed %d (rerun with --seed %d), report in %s\n\n", c.target, c.seed, c.seed, c.reportDir)

	target := world.Target(c.target)
	if target == world.TargetContainers {
		if err := containers.Available(ctx); err != nil {
			fmt.Fprintf(stderr, "drill: target containers needs a Docker daemon: %v\n", err)
			return exitUsage
		}
	}
	rec := newRecorder(stdout, time.Now())
	// Every scenario runs in process; the containers target runs the ones
	// tagged @containers, with every SQL Server in a container.
	tags := c.tags
	if target == world.TargetContainers {
		tags = "@containers"
		if c.tags != "" {
			tags += " && " + c.tags
		}
	}
	started := rec.t0
	suite := godog.TestSuite{
		Name: "pchat-failback",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			rec.hook(sc)
			steps.Initializer(steps.Options{OnWorld: rec.world, OnResult: rec.result, Links: true,
				Seed: c.seed, OnSchedule: rec.schedule, Target: target})(sc)
		},
		Options: &godog.Options{
			Format: fmt.Sprintf("junit:%s,cucumber:%s",
				filepath.Join(c.reportDir, "junit.xml"), filepath.Join(c.reportDir, "cucumber.json")),
			Output:         io.Discard,
			FS:             features.FS,
			Paths:          []string{"."},
			Tags:           tags,
			Strict:         true,
			Concurrency:    c.concurrency,
			Randomize:      c.seed,
			DefaultContext: ctx,
		},
	}
	status := suite.Run()
	total := time.Since(started)

	results := rec.results()
	fmt.Fprintln(stdout)
	evidence.WriteSummary(stdout, results)
	evidence.WriteSchedules(stdout, c.seed, results)
	reg := prometheus.NewRegistry()
	evidence.RegisterDrillMetrics(reg, results, total)
	rec.registerEngineMetrics(reg)
	problems := 0
	if err := prometheus.WriteToTextfile(filepath.Join(c.reportDir, "metrics.prom"), reg); err != nil {
		fmt.Fprintln(stderr, "drill: metrics.prom:", err)
		problems++
	}
	if err := evidence.WriteScheduleJSON(filepath.Join(c.reportDir, "schedule.json"), c.seed, results); err != nil {
		fmt.Fprintln(stderr, "drill:", err)
		problems++
	}
	if err := evidence.WriteHTML(filepath.Join(c.reportDir, "report.html"), evidence.Run{Seed: c.seed, Target: c.target, Started: started, Duration: total, Scenarios: results}); err != nil {
		fmt.Fprintln(stderr, "drill: report.html:", err)
		problems++
	}
	if c.pushgateway != "" {
		if err := push.New(c.pushgateway, "pchat_drill").Gatherer(reg).PushContext(ctx); err != nil {
			fmt.Fprintln(stderr, "drill: pushgateway:", err)
			problems++
		}
	}
	fmt.Fprintf(stdout, "\nreport: %s (seed %d, %s)\n", filepath.Join(c.reportDir, "report.html"), c.seed, total.Round(time.Millisecond))
	if len(results) == 0 {
		fmt.Fprintf(stderr, "drill: no scenario matched the tags %q\n", tags)
	}
	if status != 0 || len(results) == 0 || problems > 0 {
		return exitFailed
	}
	return 0
}

// recorder collects per-scenario results and timelines for the report.
type recorder struct {
	mu     sync.Mutex
	w      io.Writer
	t0     time.Time
	next   int
	tags   map[string]int // scenario id -> short number for progress lines
	starts map[string]time.Time
	steps  map[string]time.Time
	out    map[string]*evidence.Scenario
	engine []namedMetrics
}

func newRecorder(w io.Writer, t0 time.Time) *recorder {
	return &recorder{w: w, t0: t0, tags: map[string]int{}, starts: map[string]time.Time{}, steps: map[string]time.Time{}, out: map[string]*evidence.Scenario{}}
}

// line prints one progress line: elapsed time, the scenario's number (so
// concurrent scenarios can be told apart), the text. Caller holds r.mu.
func (r *recorder) line(id, format string, args ...any) {
	fmt.Fprintf(r.w, "%7.2fs  s%-2d %s\n", time.Since(r.t0).Seconds(), r.tags[id], fmt.Sprintf(format, args...))
}

func (r *recorder) hook(sc *godog.ScenarioContext) {
	// The initializer runs once per scenario, so this is the scenario's own.
	var scenarioID string
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		scenarioID = s.Id
		r.next++
		r.tags[s.Id] = r.next
		r.starts[s.Id] = time.Now()
		r.out[s.Id] = &evidence.Scenario{Name: s.Name, URI: s.Uri, Started: time.Now()}
		r.line(s.Id, "▶ %s", s.Name)
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		r.mu.Lock()
		r.steps[st.Id] = time.Now()
		r.mu.Unlock()
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		d := time.Since(r.steps[st.Id]).Round(time.Millisecond)
		mark := map[godog.StepResultStatus]string{godog.StepPassed: "✓", godog.StepFailed: "✗", godog.StepSkipped: "-", godog.StepUndefined: "?", godog.StepPending: "…"}[status]
		if mark == "" {
			mark = "·"
		}
		r.line(scenarioID, "  %s %s (%s)", mark, st.Text, d)
		if status == godog.StepSkipped && err != nil {
			r.out[scenarioID].Skipped = true
		}
		if err != nil {
			r.line(scenarioID, "      %v", err)
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		res := r.out[s.Id]
		res.Duration = time.Since(r.starts[s.Id])
		res.Passed = err == nil
		mark, result := "✔", "passed"
		switch {
		case err != nil:
			res.Error = err.Error()
			mark, result = "✘", "FAILED"
		case res.Skipped:
			mark, result = "-", "skipped (not applicable on this target)"
		}
		r.line(s.Id, "%s %s: %s (%s)", mark, result, s.Name, res.Duration.Round(time.Millisecond))
		return ctx, nil
	})
}

func (r *recorder) world(name string, w *world.World) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.out {
		if s.Name == name && s.Events == nil {
			s.Events = w.Timeline.Events()
			for _, l := range w.Labels() {
				s.Labels = append(s.Labels, l.String())
			}
			return
		}
	}
}

// schedule keeps a scenario's fault schedule for the summary, the report
// and schedule.json, and prints it as soon as it is drawn: a rehearsal
// that hangs still shows what hit it.
func (r *recorder) schedule(name string, s steps.Schedule) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, sc := range r.out {
		if sc.Name == name && sc.Schedule == nil {
			sc.Schedule = &s
			r.line(id, "  fault schedule (seed %d):", s.Seed)
			for _, f := range s.Faults {
				r.line(id, "      %s", f)
			}
			return
		}
	}
}

func (r *recorder) results() []evidence.Scenario {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]evidence.Scenario, 0, len(r.out))
	for _, s := range r.out {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out
}

// isTerminal reports whether w is a character device: colours and spinners
// only make sense there, not in CI logs or files.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// result keeps what a scenario's engine run measured for the summary and
// the metrics file.
func (r *recorder) result(name string, res steps.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.out {
		if s.Name == name && s.Outage == 0 {
			s.Outage, s.Objective = res.Outage, res.OutageObjective
			break
		}
	}
	r.engine = append(r.engine, namedMetrics{name, res.Metrics})
}

type namedMetrics struct {
	scenario string
	m        *metrics.Metrics
}

// registerEngineMetrics exports every rehearsal's failback_* metrics (names
// per design §3.4) in the run's registry, told apart by a scenario label.
func (r *recorder) registerEngineMetrics(reg prometheus.Registerer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := map[string]int{}
	for _, nm := range r.engine {
		if nm.m == nil {
			continue
		}
		label := nm.scenario
		if seen[label]++; seen[label] > 1 {
			label = fmt.Sprintf("%s #%d", label, seen[label])
		}
		wrapped := prometheus.WrapRegistererWith(prometheus.Labels{"scenario": label}, reg)
		for _, c := range nm.m.Collectors() {
			wrapped.MustRegister(c)
		}
	}
}
