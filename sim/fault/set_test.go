package fault_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

func startWorld(t *testing.T, links bool) *world.World {
	t.Helper()
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Start(t.Context(), world.Options{Topology: topo, Dir: t.TempDir(), Links: links})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return w
}

// pingFrom reaches the backup instance as a client in dc1 does (over the
// dc1-dc2 link).
func pingFrom(t *testing.T, w *world.World) error {
	t.Helper()
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		t.Fatal(err)
	}
	db, err := w.DBFrom("dc1", bak, "master")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.PingContext(t.Context())
}

// A lasting fault is undone by the world when it has lasted: the link is
// down once the fault fired and up again once the Set's work is done.
func TestLastingFaultIsUndoneByTheWorld(t *testing.T) {
	w := startWorld(t, true)
	set := fault.NewSet(w)
	if err := set.Inject(t.Context(), fault.LinkOutage{Link: "dc1-dc2", For: 200 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := pingFrom(t, w); err == nil {
		t.Error("the backup answered over a link that is down")
	}
	set.Wait()
	if err := pingFrom(t, w); err != nil {
		t.Errorf("after the outage: %v", err)
	}
	if err := set.Err(); err != nil {
		t.Error(err)
	}
	var cut, restored bool
	for _, e := range w.Timeline.Events() {
		cut = cut || e.Kind == "fault" && strings.Contains(e.Detail, "dc1-dc2 cut")
		restored = restored || e.Kind == "fault" && strings.Contains(e.Detail, "dc1-dc2 restored")
	}
	if !cut || !restored {
		t.Errorf("timeline: cut %t, restored %t", cut, restored)
	}
}

// Armed faults fire once, at the first event their trigger accepts, on
// the engine's goroutine (here: the test's); a fault that never fired and
// one that failed are both in Err.
func TestArmedFaultsFireOnceAndReport(t *testing.T) {
	w := startWorld(t, false)
	set := fault.NewSet(w)
	ctx := t.Context()
	if err := set.Arm(ctx, fault.InstanceDown{Instance: "sql-primary"}, fault.AtStep("restore-primary-mgc", fault.AtApply)); err != nil {
		t.Fatal(err)
	}
	if err := set.Arm(ctx, fault.EngineStop{}, fault.AtStep("pool-normal", fault.AtStart)); err != nil {
		t.Fatal(err)
	}
	if err := set.Arm(ctx, fault.EndpointRestart{}, fault.AtStep("no-such-step", fault.AtStart)); err != nil {
		t.Fatal(err)
	}
	pri, _ := w.Instance("sql-primary")
	ev := func(e failback.Event) { set.Event(e) }
	ev(failback.Event{Kind: failback.KindStepStart, Step: "restore-primary-mgc"})
	if !pri.Up() {
		t.Fatal("the fault fired at the step's start, not after its check")
	}
	check := failback.Event{Kind: failback.KindPhase, Step: "restore-primary-mgc", Phase: failback.PhaseCheck, Outcome: failback.OutcomeOK}
	ev(check)
	if pri.Up() {
		t.Fatal("the instance is still up after the step's check")
	}
	if err := w.StartInstance(ctx, pri); err != nil {
		t.Fatal(err)
	}
	ev(check) // fired once: not again
	if !pri.Up() {
		t.Fatal("the fault fired twice")
	}
	ev(failback.Event{Kind: failback.KindStepStart, Step: "pool-normal"}) // no engine run to stop
	err := set.Err()
	if !errors.Is(err, fault.ErrNoEngineRun) || !strings.Contains(err.Error(), `"the management endpoint restarts" never fired`) {
		t.Errorf("Err: %v", err)
	}
}

// EngineStop ends the engine run the Set controls, and only that one.
func TestEngineStopEndsTheRun(t *testing.T) {
	w := startWorld(t, false)
	set := fault.NewSet(w)
	if err := set.Arm(t.Context(), fault.EngineStop{}, fault.AtStep("backup-backup-mgc", fault.AtVerify)); err != nil {
		t.Fatal(err)
	}
	rctx, done := set.EngineRun(t.Context())
	defer done()
	set.Event(failback.Event{Kind: failback.KindPhase, Step: "backup-backup-mgc", Phase: failback.PhaseApply, Outcome: failback.OutcomeOK})
	if !errors.Is(rctx.Err(), context.Canceled) || t.Context().Err() != nil {
		t.Fatalf("run context %v, test context %v", rctx.Err(), t.Context().Err())
	}
	if err := set.Err(); err != nil {
		t.Error(err)
	}
}

// What a world cannot take is refused when it is armed, before anything
// runs: a link fault on a world without links, an instance it does not
// have, a fault reaching into an engine of an instance that is down.
func TestArmRefusesWhatTheWorldCannotTake(t *testing.T) {
	w := startWorld(t, false)
	set := fault.NewSet(w)
	at := fault.AtStep("backup-backup-mgc", fault.AtStart)
	for _, f := range []fault.Fault{
		fault.LinkOutage{Link: "dc1-dc2", For: time.Second},
		fault.InstanceRestart{Instance: "sql-nowhere"},
	} {
		if err := set.Arm(t.Context(), f, at); err == nil {
			t.Errorf("%s armed on a world that cannot take it", f)
		}
	}
	if err := set.Err(); err != nil {
		t.Errorf("refused faults count as armed: %v", err)
	}
}

// Closing the world ends what faults left running (an outage that would
// last an hour, a long chat burst) without undoing them, and waits for
// it: nothing outlives the world.
func TestWorldCloseEndsWhatFaultsLeftRunning(t *testing.T) {
	topo, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	w, err := world.Start(t.Context(), world.Options{Topology: topo, Dir: t.TempDir(), Links: true})
	if err != nil {
		t.Fatal(err)
	}
	set := fault.NewSet(w)
	ctx := context.Background() // nothing but the world's close ends them
	if err := set.Inject(ctx, fault.LinkOutage{Link: "dc1-dc2", For: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := set.Inject(ctx, fault.ChatBurst{Posts: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan struct{})
	go func() { set.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(time.Minute): // a hang guard, not a speed goal
		t.Fatal("the faults' goroutines outlived the world")
	}
	if w.Go(func(context.Context) {}) {
		t.Error("a closed world took a new goroutine")
	}
	if err := set.Err(); err != nil {
		t.Errorf("the world's close counts as the faults' failure: %v", err)
	}
	if err := set.Inject(ctx, fault.ChatBurst{Posts: 1}); err == nil || !strings.Contains(err.Error(), "the world is closed") {
		t.Errorf("a burst on a closed world: %v", err)
	}
}
