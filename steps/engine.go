package steps

import (
	"context"
	"fmt"
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
	plan    *failback.Plan
	// outageSeconds is the measure as the engine reported it.
	outageSeconds float64
	// ledgerChecked: failback_messages_lost was set from a ledger check;
	// lost is that count, lostSince the earliest acknowledgement lost.
	ledgerChecked bool
	lost          int
	lostSince     time.Time
}

// eventLog collects the events of every engine run of a scenario.
type eventLog struct {
	mu     sync.Mutex
	events []failback.Event
}

func (l *eventLog) Event(e failback.Event) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) all() []failback.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]failback.Event(nil), l.events...)
}

// snapshot copies the events seen so far.
func (r *engineRun) snapshot() []failback.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]failback.Event(nil), r.events...)
}

func (r *engineRun) Event(e failback.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	if e.Kind == failback.KindMeasure && e.Name == failback.MeasureChatOutage {
		r.outage = time.Duration(e.Seconds * float64(time.Second))
		r.outageSeconds = e.Seconds
	}
	r.mu.Unlock()
}

// runEngine connects the real engine to the world through the topology the
// world hands out (real addresses, secrets in files) and runs the plan dry
// or for real; every engine event also lands on the world's timeline.
func runEngine(ctx context.Context, dry bool) error {
	return runPlan(ctx, get(ctx).plan(), dry, nil)
}

// runPlan runs plan; previous, when set, are an interrupted run's events
// and the runner resumes from them (as `failback resume` does from its
// journal).
func runPlan(ctx context.Context, plan *failback.Plan, dry bool, previous []failback.Event) error {
	st := get(ctx)
	w := st.world
	before, err := w.Fingerprint(ctx)
	if err != nil {
		return err
	}
	run := &engineRun{before: before, metrics: metrics.New(), plan: plan}
	run.metrics.SetObjective(w.Topology.Objectives.RTO)
	if previous != nil && st.engine != nil {
		run.before, run.metrics = st.engine.before, st.engine.metrics
	}
	st.engine = run
	timeline := w.Timeline.EngineSink("engine")
	sinks := []failback.Sink{run, timeline, run.metrics, &st.engineEvents}
	if st.faults != nil {
		sinks = append(sinks, st.faults) // fires armed faults as their events go by
	}
	for _, f := range st.onEvent {
		sinks = append(sinks, f)
	}
	// A simulated deployment reacts within milliseconds: poll it often so
	// the measured durations are the procedure's, not the poll interval's.
	opts := st.engineOpts
	opts.PollInterval = 100 * time.Millisecond
	if opts.MirrorTimeout == 0 {
		// The failover's step 6 waits for the session it installed to
		// synchronise: seconds in the simulator, not production's 30 min.
		opts.MirrorTimeout = 30 * time.Second
	}
	opts.PrimaryMayBeDown = plan.Name == failback.PlanFailover
	conn, err := failback.Connect(ctx, w.Topology, opts)
	if err != nil {
		refuseUnreachable(run, plan, err, sinks)
		return nil
	}
	defer conn.Close()
	r := &failback.Runner{Plan: plan, Env: conn.Env, Sinks: sinks, Previous: previous}
	if dry {
		run.result, run.err = r.DryRun(ctx)
	} else {
		run.result, run.err = r.Run(ctx)
	}
	return nil
}

// refuseUnreachable does what `failback run` does when an instance does
// not answer while connecting (cmd/failback): a refusal (exit 2) under the
// precondition failback.ConnectRefusal names, nothing sent. Other errors
// stay configuration errors.
func refuseUnreachable(run *engineRun, plan *failback.Plan, err error, sinks []failback.Sink) {
	run.err = err
	check, msg, ok := failback.ConnectRefusal(plan.Name, err)
	if !ok {
		return
	}
	ev := failback.Event{Kind: failback.KindPrecondition, Plan: plan.Name, Check: check, Outcome: failback.OutcomeFailed, Message: msg}
	for _, s := range sinks {
		s.Event(ev)
	}
	run.result = failback.Result{Outcome: failback.OutcomeRefused}
	run.err = fmt.Errorf("%w: %s: %w", failback.ErrRefused, check, err)
}

func planFailback(ctx context.Context) error { return runEngine(ctx, true) }

func engineJobTimeout(ctx context.Context, seconds int) error {
	get(ctx).engineOpts.JobTimeout = time.Duration(seconds) * time.Second
	return nil
}

func engineDrainTimeout(ctx context.Context, seconds int) error {
	get(ctx).engineOpts.SessionDrainTimeout = time.Duration(seconds) * time.Second
	return nil
}

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
