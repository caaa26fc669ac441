package steps

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sim/fault"
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

// chaos is a scenario's drawn schedule and why the engine stopped under
// it; the faults themselves are in the scenario's fault.Set.
type chaos struct {
	schedule faultplan.Schedule

	mu    sync.Mutex
	stops []string // why each engine run ended before the plan did
}

type chaosKey struct{}

func chaosOf(ctx context.Context) (*chaos, error) {
	c, ok := ctx.Value(chaosKey{}).(*chaos)
	if !ok {
		return nil, errors.New("schedule: the scenario drew no fault schedule (Given the run's seeded fault schedule)")
	}
	return c, nil
}

// seededSchedule learns what each step of the plan talks to from the
// engine's own dry run, draws the scenario's schedule from the seed, hands
// it to Options.OnSchedule and arms every fault.
func seededSchedule(ctx context.Context, opts Options) (context.Context, error) {
	st := get(ctx)
	if st.world == nil {
		return ctx, errors.New("schedule: no world")
	}
	targets, err := faultplan.Targets(ctx, st.world.Topology, st.plan(), st.engineOpts)
	if err != nil {
		return ctx, fmt.Errorf("schedule: %w", err)
	}
	c := &chaos{schedule: faultplan.Draw(opts.Seed, st.name, targets, faultplan.Options{Links: st.world.LinkNames()})}
	if opts.OnSchedule != nil {
		opts.OnSchedule(st.name, c.schedule)
	}
	if opts.SchedulesOnly {
		return ctx, fmt.Errorf("%w: the fault schedule is drawn; only the schedules were asked for, so no failback runs", godog.ErrSkip)
	}
	for _, f := range c.schedule.Faults {
		st.world.Timeline.Add("harness", "schedule", f.String(), nil)
	}
	if err := c.schedule.Arm(ctx, faults(ctx)); err != nil {
		return ctx, fmt.Errorf("schedule: %w", err)
	}
	return context.WithValue(ctx, chaosKey{}, c), nil
}

// failbackResumingAfterEveryStop runs the failback; whenever a run stops
// (an engine stop, or a step that gave up) it resumes from the events so
// far, as `failback resume` from the journal, a bounded number of times.
func failbackResumingAfterEveryStop(ctx context.Context) error {
	c, err := chaosOf(ctx)
	if err != nil {
		return err
	}
	set := faults(ctx)
	defer set.Wait() // no outage or burst outlives the step
	st := get(ctx)
	st.onEvent = append(st.onEvent, watchMirroringAtRestore(ctx))
	maxRuns := len(c.schedule.Faults) + 2
	var prev []failback.Event
	var plan *failback.Plan
	for runs := 1; ; runs++ {
		rctx, done := set.EngineRun(ctx) // a scheduled engine stop ends it
		if plan == nil {
			err = runEngine(rctx, false)
		} else {
			err = runPlan(rctx, plan, false, prev)
		}
		done()
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
	if _, err := chaosOf(ctx); err != nil {
		return err
	}
	return faultsErr(ctx)
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
		if f.Kind == fault.KindEngineStop {
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
