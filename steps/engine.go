package steps

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pchatdr/harness/failback"
)

// engineRun is what one engine invocation left behind.
type engineRun struct {
	mu     sync.Mutex
	events []failback.Event
	result failback.Result
	err    error
	before string // world fingerprint before the engine ran
}

func (r *engineRun) Event(e failback.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
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
	run := &engineRun{before: before}
	st.engine = run
	conn, err := failback.Connect(ctx, w.Topology, failback.Options{})
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
	r := &failback.Runner{Plan: failback.FailbackPlan(), Env: conn.Env, Sinks: []failback.Sink{run, timeline}}
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
