package loadtest

import (
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
)

// TestChatThroughFailbackUnderFaults injects faults of the catalogue
// (sim/fault) into a failback under chat traffic, without godog: a
// fault.Set armed on the engine's event stream, handed to the engine as
// a sink. Every fault is one the procedure must survive; afterwards every
// fault fired and did what it does, and the primary mgc holds every
// acknowledged message exactly once.
func TestChatThroughFailbackUnderFaults(t *testing.T) {
	ctx := t.Context()
	w := startWorld(t, nil)
	if err := w.FailOver(ctx, world.Scene{MessagesBefore: 20, MessagesDuring: 10, Shortcut: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		t.Fatal(err)
	}
	set := fault.NewSet(w)
	for _, a := range []struct {
		f  fault.Fault
		at fault.Trigger
	}{
		{fault.EndpointHTTP500{Count: 2}, fault.AtStep(failback.StepClearActive, fault.AtStart)},
		{fault.InstanceRestart{Instance: pri.Name}, fault.AtStep(failback.StepRestore, fault.AtVerify)},
		{fault.ChatBurst{Posts: 10}, fault.AtStep(failback.StepSetActive, fault.AtStart)},
		{fault.CmdletLatency{Count: 1, Delay: 200 * time.Millisecond}, fault.AtStep(failback.StepPoolNormal, fault.AtStart)},
	} {
		if err := set.Arm(ctx, a.f, a.at); err != nil {
			t.Fatal(err)
		}
	}
	g := startTraffic(t, w, Config{Rate: 20, Seed: seed})
	run, err := RunFailback(ctx, w, set)
	if err != nil {
		t.Fatal(err)
	}
	set.Wait() // the burst is done
	if err := lync.Sleep(ctx, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	final := g.Stop()
	logStats(t, "traffic", w, final)
	if err := set.Err(); err != nil {
		t.Fatalf("faults: %v", err)
	}
	if run.Result.Outcome != failback.OutcomeOK {
		t.Fatalf("failback %s", run.Result.Outcome)
	}
	var restarted, retried bool
	for _, e := range w.Timeline.Events() {
		restarted = restarted || e.Component == pri.Name && e.Kind == "start" && e.Err == "" && e.Detail == "restarted on "+pri.Addr
		retried = retried || e.Component == "engine" && e.Kind == failback.KindNote && strings.Contains(e.Detail, "will retry")
	}
	if !restarted || !retried {
		t.Errorf("the faults left no trace: primary restarted %t, engine retried %t", restarted, retried)
	}
	r := checkLedger(t, w, topology.RolePrimary)
	t.Logf("primary mgc: %s", r)
	if final.Failed > 0 {
		t.Errorf("%d posts failed with something other than a refusal (first: %q)", final.Failed, final.Errors)
	}
}
