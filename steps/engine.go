package steps

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/metrics"
)

// engineRun is what one engine invocation left behind.
type engineRun struct {
	mu      sync.Mutex
	events  []failback.Event
	result  failback.Result
	err     error
	before  string // world fingerprint before the engine ran
	metrics *metrics.Metrics
	outage  time.Duration // the engine's measured chat outage
}

func (r *engineRun) Event(e failback.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	if e.Kind == failback.KindMeasure && e.Name == failback.MeasureChatOutage {
		r.outage = time.Duration(e.Seconds * float64(time.Second))
	}
	r.mu.Unlock()
}

// runEngine connects the real engine to the world through the topology the
// world hands out (real addresses, secrets in files) and runs the plan dry
// or for real; every engine event also lands on the world's timeline.
func runEngine(ctx context.Context, dry bool) error {
	st := get(ctx)
	w := st.world
	before, err := w.Fingerprint(ctx)
	if err != nil {
		return err
	}
	run := &engineRun{before: before, metrics: metrics.New()}
	run.metrics.SetObjective(w.Topology.Objectives.RTO)
	st.engine = run
	// A simulated deployment reacts within milliseconds: poll it often so
	// the measured durations are the procedure's, not the poll interval's.
	conn, err := failback.Connect(ctx, w.Topology, failback.Options{PollInterval: 100 * time.Millisecond})
	if err != nil {
		run.err = err
		return nil
	}
	defer conn.Close()
	timeline := failback.SinkFunc(func(e failback.Event) {
		detail := e.Message
		if e.Text != "" {
			detail = e.Text
		}
		if e.Check != "" {
			detail = e.Check + ": " + e.Outcome + " " + e.Message
		}
		var ferr error
		if e.Error != "" {
			ferr = fmt.Errorf("%s", e.Error)
		}
		w.Timeline.Add("engine", e.Kind, strings.TrimSpace(detail), ferr)
	})
	r := &failback.Runner{Plan: st.plan(), Env: conn.Env, Sinks: []failback.Sink{run, timeline, run.metrics}}
	if dry {
		run.result, run.err = r.DryRun(ctx)
	} else {
		run.result, run.err = r.Run(ctx)
	}
	return nil
}

func planFailback(ctx context.Context) error { return runEngine(ctx, true) }

func preconditionOutcome(ctx context.Context, name, want string) error {
	run := get(ctx).engine
	if run == nil {
		return fmt.Errorf("the engine has not run")
	}
	run.mu.Lock()
	defer run.mu.Unlock()
	for _, e := range run.events {
		if e.Kind == failback.KindPrecondition && e.Check == name {
			got := "passes"
			if e.Outcome != failback.OutcomeOK {
				got = "refuses"
			}
			if got != want {
				return fmt.Errorf("precondition %s %s (%s), want: %s", name, got, e.Message, want)
			}
			return nil
		}
	}
	return fmt.Errorf("precondition %s was not evaluated (engine error: %v)", name, run.err)
}

func engineRefused(ctx context.Context) error {
	run := get(ctx).engine
	if run == nil {
		return fmt.Errorf("the engine has not run")
	}
	if run.result.Outcome != failback.OutcomeRefused {
		return fmt.Errorf("engine outcome %q (%v), want refused", run.result.Outcome, run.err)
	}
	return nil
}

func nothingChanged(ctx context.Context) error {
	st := get(ctx)
	after, err := st.world.Fingerprint(ctx)
	if err != nil {
		return err
	}
	if after != st.engine.before {
		return fmt.Errorf("the world changed:\nbefore:\n%s\nafter:\n%s", st.engine.before, after)
	}
	return nil
}

func outageWithinObjective(ctx context.Context) error {
	st := get(ctx)
	run := st.engine
	if run == nil || run.outage == 0 {
		return fmt.Errorf("the engine measured no chat outage")
	}
	if obj := st.world.Topology.Objectives.Outage; run.outage > obj {
		return fmt.Errorf("chat outage %s exceeds the objective %s", run.outage.Round(time.Millisecond), obj)
	}
	return nil
}

func failbackWithinRTO(ctx context.Context) error {
	st := get(ctx)
	run := st.engine
	if run == nil || run.result.Duration == 0 {
		return fmt.Errorf("the engine has not run")
	}
	if rto := st.world.Topology.Objectives.RTO; run.result.Duration > rto {
		return fmt.Errorf("failback took %s, over the RTO of %s", run.result.Duration.Round(time.Millisecond), rto)
	}
	return nil
}
