package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/cucumber/godog"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pchatdr/harness/evidence"
	"github.com/pchatdr/harness/failback/metrics"
	"github.com/pchatdr/harness/sim/faultplan"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/steps"
)

// recorder prints progress as scenarios run and collects what the report
// needs of each: its Gherkin steps, the world's timeline, the engine's
// events and what they measured, the fault schedule.
type recorder struct {
	mu  sync.Mutex
	w   io.Writer
	t0  time.Time
	now func() time.Time
	// silence is how long a scenario may print nothing before the
	// recorder says it is still running (and in which step).
	silence time.Duration

	next      int
	running   map[string]*live // by pickle ID
	order     []*live
	schedules []faultplan.Schedule
	engine    []namedMetrics
	// skipped says why a skipped scenario was skipped (the progress line).
	skipped string
}

// live is one scenario while it runs and after.
type live struct {
	id       string
	n        int
	sec      evidence.Section
	step     string    // the step running now ("" between steps)
	stepAt   time.Time // when it started
	lastLine time.Time
	done     bool
	world    bool // the world's timeline was taken
	result   bool // an engine result was taken
	schedule bool
}

func newRecorder(w io.Writer, t0 time.Time) *recorder {
	return &recorder{w: w, t0: t0, now: time.Now, silence: 10 * time.Second, running: map[string]*live{}, skipped: "not applicable on this target"}
}

// line prints one progress line: elapsed time, the scenario's number (so
// concurrent scenarios can be told apart), the text. Caller holds r.mu.
func (r *recorder) line(l *live, format string, args ...any) {
	now := r.now()
	fmt.Fprintf(r.w, "%7.2fs  s%-2d %s\n", now.Sub(r.t0).Seconds(), l.n, fmt.Sprintf(format, args...))
	l.lastLine = now
}

// watch prints, for every scenario that printed nothing for r.silence, a
// line naming the step it is in and for how long, until ctx ends: a long
// step (a large restore, a wait on an Agent job) never looks like a hang.
func (r *recorder) watch(ctx context.Context) {
	t := time.NewTicker(max(r.silence/10, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		now := r.now()
		for _, l := range r.order {
			if l.done || now.Sub(l.lastLine) < r.silence {
				continue
			}
			if l.step == "" {
				r.line(l, "  … still running (between steps)")
			} else {
				r.line(l, "  … still running: %s (%s so far)", l.step, now.Sub(l.stepAt).Round(time.Second))
			}
		}
		r.mu.Unlock()
	}
}

var statusWord = map[godog.StepResultStatus]string{
	godog.StepPassed: "passed", godog.StepFailed: "failed", godog.StepSkipped: "skipped",
	godog.StepUndefined: "undefined", godog.StepPending: "pending", godog.StepAmbiguous: "ambiguous",
}

var statusMark = map[godog.StepResultStatus]string{
	godog.StepPassed: "✓", godog.StepFailed: "✗", godog.StepSkipped: "-", godog.StepUndefined: "?", godog.StepPending: "…",
}

func (r *recorder) hook(sc *godog.ScenarioContext) {
	// The initializer runs once per scenario, so this is the scenario's own.
	var l *live
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.next++
		l = &live{id: s.Id, n: r.next, sec: evidence.Section{Name: s.Name, URI: s.Uri, Started: r.now()}}
		for _, t := range s.Tags {
			l.sec.Tags = append(l.sec.Tags, t.Name)
		}
		r.running[s.Id] = l
		r.order = append(r.order, l)
		r.line(l, "▶ %s", s.Name)
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		r.mu.Lock()
		l.step, l.stepAt = st.Text, r.now()
		r.mu.Unlock()
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		started := l.stepAt
		if l.step != st.Text || started.IsZero() {
			// A step skipped after a failure never started.
			started = r.now()
		}
		d := r.now().Sub(started)
		mark := statusMark[status]
		if mark == "" {
			mark = "·"
		}
		r.line(l, "  %s %s (%s)", mark, st.Text, d.Round(time.Millisecond))
		g := evidence.GherkinStep{Keyword: pickleKeyword(st.Type), Text: st.Text, Status: statusWord[status], Started: started, Duration: d}
		if g.Status == "" {
			g.Status = status.String()
		}
		if status == godog.StepSkipped && err != nil {
			l.sec.Result = evidence.ResultSkipped
		}
		if err != nil {
			g.Error = err.Error()
			r.line(l, "      %v", err)
		}
		l.sec.Gherkin = append(l.sec.Gherkin, g)
		l.step = ""
		return ctx, nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		l.done = true
		l.sec.Duration = r.now().Sub(l.sec.Started)
		mark, result := "✔", "passed"
		switch {
		case err != nil:
			l.sec.Result, l.sec.Error = evidence.ResultFailed, err.Error()
			mark, result = "✘", "FAILED"
		case l.sec.Result == evidence.ResultSkipped:
			mark, result = "-", "skipped ("+r.skipped+")"
		default:
			l.sec.Result = evidence.ResultPassed
		}
		r.line(l, "%s %s: %s (%s)", mark, result, s.Name, l.sec.Duration.Round(time.Millisecond))
		return ctx, nil
	})
}

// find is the first scenario of that name a callback has not served yet
// (steps' callbacks name scenarios, they have no pickle ID). Caller holds
// r.mu.
func (r *recorder) find(name string, taken func(*live) bool) *live {
	for _, l := range r.order {
		if l.sec.Name == name && !taken(l) {
			return l
		}
	}
	return nil
}

// world keeps the scenario's timeline, labels and topology.
func (r *recorder) world(name string, w *world.World) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.find(name, func(l *live) bool { return l.world })
	if l == nil {
		return
	}
	l.world = true
	for _, e := range w.Timeline.Events() {
		l.sec.Marks = append(l.sec.Marks, evidence.Mark{At: e.At, Component: e.Component, Kind: e.Kind, Detail: e.Detail, Err: e.Err})
	}
	for _, lb := range w.Labels() {
		l.sec.Labels = append(l.sec.Labels, lb.String())
	}
	if l.sec.Topology.File == "" {
		l.sec.Topology = evidence.TopologyRef{File: w.Topology.File, Digest: w.Topology.Digest}
		l.sec.Objectives = evidence.ObjectivesOf(w.Topology.Objectives)
	}
}

// schedule keeps a scenario's fault schedule for the summary, the report
// and schedule.json, and prints it as soon as it is drawn: a rehearsal
// that hangs still shows what hit it.
func (r *recorder) schedule(name string, s steps.Schedule) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.find(name, func(l *live) bool { return l.schedule })
	if l == nil {
		return
	}
	l.schedule = true
	r.schedules = append(r.schedules, s)
	fs := &evidence.FaultSchedule{Seed: s.Seed, Faults: []string{}}
	r.line(l, "  fault schedule (seed %d):", s.Seed)
	for _, f := range s.Faults {
		fs.Faults = append(fs.Faults, f.String())
		r.line(l, "      %s", f)
	}
	l.sec.Faults = fs
}

// result keeps what a scenario's engine runs did and measured.
func (r *recorder) result(name string, res steps.Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.engine = append(r.engine, namedMetrics{name, res.Metrics})
	l := r.find(name, func(l *live) bool { return l.result })
	if l == nil {
		return
	}
	l.result = true
	l.sec.Runs = evidence.Runs(res.Events)
	l.sec.Objectives = evidence.ObjectivesOf(res.Objectives)
	l.sec.Topology = evidence.TopologyRef{File: res.TopologyFile, Digest: res.TopologyDigest}
	if res.LostChecked {
		l.sec.Loss = &evidence.Loss{Count: res.Lost, Since: res.LostSince, By: "the drill's ledger of acknowledged messages, checked on the primary"}
	}
}

// sections are the scenarios in the order they started.
func (r *recorder) sections() []evidence.Section {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]evidence.Section, 0, len(r.order))
	for _, l := range r.order {
		out = append(out, l.sec)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.Before(out[j].Started) })
	return out
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
