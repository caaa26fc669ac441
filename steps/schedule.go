package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/sim/faultplan"
)

// registerSchedule binds the seeded fault-schedule steps (issue 8): a
// scenario draws its faults from the run's seed and its own name, arms
// them on the engine's event stream, runs the failback resuming it after
// every stop, and checks every fault fired.
func registerSchedule(sc *godog.ScenarioContext, opts Options) {
	sc.Step(`^the run's seeded fault schedule$`, func(ctx context.Context) (context.Context, error) {
		return seededSchedule(ctx, opts)
	})
	sc.Step(`^the engine runs the failback, resuming it after every stop$`, failbackResumingAfterEveryStop)
	sc.Step(`^every scheduled fault fired$`, everyScheduledFaultFired)
	sc.Step(`^the engine stopped only where the schedule stopped it$`, stoppedOnlyWhereScheduled)
}

// Schedule is a scenario's seeded fault schedule (an alias, so that
// Options names it without steps.go importing faultplan).
type Schedule = faultplan.Schedule

// chaos is a scenario's drawn schedule and what its faults left behind.
type chaos struct {
	schedule faultplan.Schedule

	mu     sync.Mutex
	cancel context.CancelFunc // ends the engine run in progress (engine stops)
	stops  []string           // why each engine run ended before the plan did
	errs   []error            // of faults that run beside the engine
	// wg holds link outages and chat bursts in flight: the run step waits
	// for them, so none outlives the scenario.
	wg sync.WaitGroup
}

type chaosKey struct{}

func chaosOf(ctx context.Context) (*chaos, error) {
	c, ok := ctx.Value(chaosKey{}).(*chaos)
	if !ok {
		return nil, errors.New("schedule: the scenario drew no fault schedule (Given the run's seeded fault schedule)")
	}
	return c, nil
}

func (c *chaos) failed(err error) {
	c.mu.Lock()
	c.errs = append(c.errs, err)
	c.mu.Unlock()
}

// seededSchedule learns what each step of the plan talks to from the
// engine's own dry run, draws the scenario's schedule from the seed, hands
// it to Options.OnSchedule and arms every fault.
func seededSchedule(ctx context.Context, opts Options) (context.Context, error) {
	st := get(ctx)
	if st.world == nil {
		return ctx, errors.New("schedule: no world")
	}
	planSteps, err := stepTargets(ctx)
	if err != nil {
		return ctx, err
	}
	var fo faultplan.Options
	links := map[string][2]string{}
	if st.links {
		for _, l := range st.world.Topology.Links {
			name := l.Between[0] + "-" + l.Between[1]
			links[name] = l.Between
			fo.Links = append(fo.Links, name)
		}
	}
	c := &chaos{schedule: faultplan.Draw(opts.Seed, st.name, planSteps, fo)}
	if opts.OnSchedule != nil {
		opts.OnSchedule(st.name, c.schedule)
	}
	for _, f := range c.schedule.Faults {
		st.world.Timeline.Add("harness", "schedule", f.String(), nil)
		if err := armScheduled(ctx, c, f, links); err != nil {
			return ctx, err
		}
	}
	return context.WithValue(ctx, chaosKey{}, c), nil
}

// stepTargets dry-runs the plan (`failback plan`: reads, nothing changed)
// and notes which steps run cmdlets and which instances each sends T-SQL
// to, so the schedule only draws faults a step can meet.
func stepTargets(ctx context.Context) ([]faultplan.Step, error) {
	st := get(ctx)
	plan := st.plan()
	out := make([]faultplan.Step, len(plan.Steps))
	index := map[string]int{}
	for i, s := range plan.Steps {
		out[i].Name = s.Name
		index[s.Name] = i
	}
	conn, err := failback.Connect(ctx, st.world.Topology, st.engineOpts)
	if err != nil {
		return nil, fmt.Errorf("schedule: dry run: %w", err)
	}
	defer conn.Close()
	// The runner emits on its own goroutine, one event at a time.
	sink := failback.SinkFunc(func(e failback.Event) {
		i, ok := index[e.Step]
		if e.Kind != failback.KindSent || !ok {
			return
		}
		switch {
		case e.Target == failback.PoolTarget:
			out[i].Cmdlets = true
		case e.Target != "" && !slices.Contains(out[i].Instances, e.Target):
			out[i].Instances = append(out[i].Instances, e.Target)
		}
	})
	r := &failback.Runner{Plan: plan, Env: conn.Env, Sinks: []failback.Sink{sink}}
	if _, err := r.DryRun(ctx); err != nil {
		return nil, fmt.Errorf("schedule: dry run: %w", err)
	}
	return out, nil
}

// at matches the engine event at which a fault hits its step.
func at(f faultplan.Fault) func(failback.Event) bool {
	return func(e failback.Event) bool {
		if e.Step != f.Step {
			return false
		}
		switch f.At {
		case faultplan.AtApply:
			return e.Kind == failback.KindPhase && e.Phase == failback.PhaseCheck && e.Outcome == failback.OutcomeOK
		case faultplan.AtVerify:
			return e.Kind == failback.KindPhase && e.Phase == failback.PhaseApply && e.Outcome == failback.OutcomeOK
		}
		return e.Kind == failback.KindStepStart
	}
}

// armScheduled arms one fault on the engine's event stream (faults.go's
// arm: it fires once, on the engine's goroutine, exactly at the event).
func armScheduled(ctx context.Context, c *chaos, f faultplan.Fault, links map[string][2]string) error {
	w := get(ctx).world
	what := f.String()
	switch f.Kind {
	case faultplan.EndpointHTTP500:
		arm(ctx, what, at(f), func() error {
			return w.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultHTTP500, Action: "Command", Count: f.Count})
		})
	case faultplan.CmdletLatency:
		arm(ctx, what, at(f), func() error {
			return w.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultLatency, Count: f.Count, Delay: f.Delay()})
		})
	case faultplan.InstanceRestart:
		inst, ok := w.Instance(f.Instance)
		if !ok {
			return fmt.Errorf("schedule: %s: no instance %s", what, f.Instance)
		}
		arm(ctx, what, at(f), func() error { return w.Restart(ctx, inst) })
	case faultplan.EndpointRestart:
		arm(ctx, what, at(f), func() error { return w.RestartPool(ctx) })
	case faultplan.EngineStop:
		arm(ctx, what, at(f), func() error {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.cancel == nil {
				return errors.New("no engine run to stop")
			}
			w.Timeline.Add("harness", "fault", "engine stopped at "+f.Step, nil)
			c.cancel()
			return nil
		})
	case faultplan.LinkOutage, faultplan.LinkLatency:
		dcs, ok := links[f.Link]
		if !ok {
			return fmt.Errorf("schedule: %s: no link %s", what, f.Link)
		}
		// Both last Delay from the step's start, then the link is as the
		// topology has it again.
		apply := func() error { return w.CutLink(dcs[0], dcs[1]) }
		undo := func() error { return w.RestoreLink(dcs[0], dcs[1]) }
		if f.Kind == faultplan.LinkLatency {
			apply = func() error { return w.SetLinkRTT(dcs[0], dcs[1], time.Duration(f.LatencyMs)*time.Millisecond) }
			undo = func() error { return w.SetLinkRTT(dcs[0], dcs[1], 0) }
		}
		arm(ctx, what, at(f), func() error {
			if err := apply(); err != nil {
				return err
			}
			c.wg.Go(func() {
				t := time.NewTimer(f.Delay())
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
				}
				if err := undo(); err != nil {
					c.failed(fmt.Errorf("%s: %w", what, err))
				}
			})
			return nil
		})
	case faultplan.ChatBurst:
		arm(ctx, what, at(f), func() error {
			c.wg.Go(func() { chatBurst(ctx, c, f) })
			return nil
		})
	default:
		return fmt.Errorf("schedule: unknown fault kind %q", f.Kind)
	}
	return nil
}

// chatBurst posts like users typing through the step: a post no server
// takes (the outage) is refused, as users see it; the acknowledged ones
// join the world's ledger and must end on the primary.
func chatBurst(ctx context.Context, c *chaos, f faultplan.Fault) {
	w := get(ctx).world
	acked, refused := 0, 0
	for i := 0; i < f.Count && ctx.Err() == nil; i++ {
		if _, err := w.Post(ctx, 1+i%4, 1+i%25); err != nil {
			refused++
		} else {
			acked++
		}
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Millisecond):
		}
	}
	w.Timeline.Add("harness", "note", fmt.Sprintf("chat burst at step %s: %d acknowledged, %d refused", f.Step, acked, refused), nil)
	if acked+refused == 0 {
		c.failed(fmt.Errorf("%s: no post was attempted (%w)", f, ctx.Err()))
	}
}

// failbackResumingAfterEveryStop runs the failback; whenever a run stops
// (an engine stop, or a step that gave up) it resumes from the events so
// far, as `failback resume` from the journal, a bounded number of times.
func failbackResumingAfterEveryStop(ctx context.Context) error {
	c, err := chaosOf(ctx)
	if err != nil {
		return err
	}
	defer c.wg.Wait()
	st := get(ctx)
	st.onEvent = append(st.onEvent, watchMirroringAtRestore(ctx))
	maxRuns := len(c.schedule.Faults) + 2
	var prev []failback.Event
	var plan *failback.Plan
	for runs := 1; ; runs++ {
		rctx, cancel := context.WithCancel(ctx)
		c.mu.Lock()
		c.cancel = cancel
		c.mu.Unlock()
		if plan == nil {
			err = runEngine(rctx, false)
		} else {
			err = runPlan(rctx, plan, false, prev)
		}
		c.mu.Lock()
		c.cancel = nil
		c.mu.Unlock()
		cancel()
		if err != nil {
			return err
		}
		run := st.engine
		if prev != nil {
			run.mu.Lock()
			run.events = append(prev, run.events...)
			run.mu.Unlock()
		}
		switch run.result.Outcome {
		case failback.OutcomeOK:
			return nil
		case failback.OutcomeFailed, failback.OutcomeInterrupted:
		default:
			return runError(run)
		}
		if ctx.Err() != nil || runs >= maxRuns {
			return fmt.Errorf("after %d runs: %w", runs, runError(run))
		}
		why := fmt.Sprintf("%s at step %s: %v", run.result.Outcome, run.result.Failed, run.err)
		c.mu.Lock()
		c.stops = append(c.stops, why)
		c.mu.Unlock()
		st.world.Timeline.Add("harness", "note", "the failback "+why+"; resuming", nil)
		if st.stopped == nil {
			st.stopped = &run.result
		}
		prev, plan = run.snapshot(), run.plan
	}
}

// everyScheduledFaultFired: a fault that never fired proves nothing, so a
// schedule whose faults missed their events fails the scenario.
func everyScheduledFaultFired(ctx context.Context) error {
	c, err := chaosOf(ctx)
	if err != nil {
		return err
	}
	if err := armedFired(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return errors.Join(c.errs...)
}

// stoppedOnlyWhereScheduled: transient faults are the engine's to retry
// inside a step; only a scheduled engine stop may need the operator.
func stoppedOnlyWhereScheduled(ctx context.Context) error {
	c, err := chaosOf(ctx)
	if err != nil {
		return err
	}
	want := 0
	for _, f := range c.schedule.Faults {
		if f.Kind == faultplan.EngineStop {
			want++
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.stops) != want {
		return fmt.Errorf("the engine stopped %d times (%v), the schedule stops it %d times", len(c.stops), c.stops, want)
	}
	return nil
}
