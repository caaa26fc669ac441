package loadtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sim/world"
)

// EngineRun is what one run of the failback engine measured.
type EngineRun struct {
	Result failback.Result
	// Outage is the engine's measured chat outage (active list cleared ->
	// first chat session on the restored primary); 0 if not measured.
	Outage time.Duration
	Events int
}

// RunFailback runs the real failback engine against the world exactly as
// the scenarios do (steps/engine.go): connected through the topology the
// world hands out, the documented failback plan, every event on the
// world's timeline under "engine", polling the fast simulated deployment
// every 100 ms. A refusal or a failed step is an error. sinks also get
// every event: a fault.Set among them fires the faults armed in it.
func RunFailback(ctx context.Context, w *world.World, sinks ...failback.Sink) (EngineRun, error) {
	return RunPlan(ctx, w, failback.FailbackPlan(), sinks...)
}

// RunPlan is RunFailback with another plan: a procedure mutant
// (failback/mutants) under load.
func RunPlan(ctx context.Context, w *world.World, plan *failback.Plan, sinks ...failback.Sink) (EngineRun, error) {
	opts := failback.Options{
		PollInterval:  100 * time.Millisecond,
		MirrorTimeout: 30 * time.Second,
		// Bounded so a broken world fails the test within a minute rather
		// than production's hours; the simulator answers in milliseconds.
		JobTimeout: time.Minute, SessionDrainTimeout: 30 * time.Second, ChatArrivalTimeout: 30 * time.Second,
	}
	conn, err := failback.Connect(ctx, w.Topology, opts)
	if err != nil {
		return EngineRun{}, fmt.Errorf("failback engine: %w", err)
	}
	defer conn.Close()
	var mu sync.Mutex
	var run EngineRun
	sink := failback.SinkFunc(func(e failback.Event) {
		mu.Lock()
		run.Events++
		if e.Kind == failback.KindMeasure && e.Name == failback.MeasureChatOutage {
			run.Outage = time.Duration(e.Seconds * float64(time.Second))
		}
		mu.Unlock()
	})
	r := &failback.Runner{Plan: plan, Env: conn.Env, Sinks: append([]failback.Sink{sink, w.Timeline.EngineSink("engine")}, sinks...)}
	res, err := r.Run(ctx)
	mu.Lock()
	defer mu.Unlock()
	run.Result = res
	if err != nil {
		return run, fmt.Errorf("failback engine: %s at step %q: %w", res.Outcome, res.Failed, err)
	}
	return run, nil
}
