package steps

import (
	"context"
	"fmt"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
)

// registerIntervention binds the steps of an operator stepping in while a
// failback is stopped (issue 12, @intervention): the engine stops after a
// given step, the operator gives chat back to the backup site, chat goes
// on, the operator clears the active list again and resumes the engine
// from its journal.
func registerIntervention(sc *godog.ScenarioContext) {
	sc.Step(`^the engine runs the failback and stops after step "([^"]*)"$`, failbackStopsAfter)
	sc.Step(`^an operator restores service on the backup site$`, func(ctx context.Context) error {
		return get(ctx).world.RestoreServiceOnBackup(ctx)
	})
	sc.Step(`^an operator clears the active server list$`, func(ctx context.Context) error {
		return get(ctx).world.ClearActiveServers(ctx)
	})
	sc.Step(`^the operator resumes the failback$`, resumeFailback)
	sc.Step(`^the resumed failback completed$`, resumedCompleted)
}

// failbackStopsAfter runs the failback and ends the engine's run (as a
// Ctrl-C or a service stop would) as soon as step has ended verified: the
// journal then says that step and the ones before it are done.
func failbackStopsAfter(ctx context.Context, step string) error {
	st := get(ctx)
	if i, _ := st.plan().StepByName(step); i < 0 {
		return fmt.Errorf("the failback plan has no step %q", step)
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	n := len(st.onEvent)
	st.onEvent = append(st.onEvent, func(e failback.Event) {
		if e.Kind == failback.KindStepEnd && e.Step == step && e.Error == "" {
			stop()
		}
	})
	err := runPlan(rctx, st.plan(), false, nil)
	st.onEvent = st.onEvent[:n]
	if err != nil {
		return err
	}
	run := st.engine
	switch run.result.Outcome {
	case failback.OutcomeOK:
		return fmt.Errorf("the failback ran to its end: it did not stop after step %s", step)
	case failback.OutcomeInterrupted:
		st.stopped = &run.result
		st.world.Timeline.Add("harness", "note", "the engine stopped after step "+step, nil)
		return nil
	}
	return fmt.Errorf("the failback did not get past step %s: %w", step, runError(run))
}

// resumeFailback is `failback resume`: the same plan from the stopped
// run's journal (its events).
func resumeFailback(ctx context.Context) error {
	st := get(ctx)
	first := st.engine
	if first == nil {
		return fmt.Errorf("no failback ran before the resume")
	}
	prev := first.snapshot()
	if err := runPlan(ctx, first.plan, false, prev); err != nil {
		return err
	}
	st.engine.mu.Lock()
	st.engine.events = append(prev, st.engine.events...)
	st.engine.mu.Unlock()
	return nil
}

func resumedCompleted(ctx context.Context) error {
	run := get(ctx).engine
	if run.result.Outcome != failback.OutcomeOK {
		return fmt.Errorf("the resumed failback ended %s: %w", run.result.Outcome, runError(run))
	}
	return nil
}
