package failback_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
)

func TestFailbackEndToEnd(t *testing.T) {
	f := newFixture(t)
	rec := &recorder{}
	r := &failback.Runner{Plan: failback.FailbackPlan(), Env: f.env, Sinks: []failback.Sink{rec}}
	res, err := r.Run(context.Background())
	if err != nil {
		for _, e := range rec.all() {
			t.Logf("%s %s %s %s %s %s", e.Kind, e.Step, e.Phase, e.Outcome, e.Message, e.Error)
		}
		t.Fatalf("run: %v", err)
	}
	if res.Outcome != failback.OutcomeOK {
		t.Fatalf("outcome %s", res.Outcome)
	}
	ends := rec.kind(failback.KindStepEnd)
	if len(ends) != 9 {
		t.Fatalf("%d step ends, want 9", len(ends))
	}
	for _, e := range ends {
		if e.Outcome != failback.OutcomeVerified {
			t.Errorf("step %s: %s", e.Step, e.Outcome)
		}
	}
	st, _ := f.env.Pool.PoolState(context.Background())
	if st != lync.PoolNormal {
		t.Errorf("pool state %s", st)
	}
	for _, c := range f.world.Calls() {
		t.Logf("%s %s %s", c.Target, c.Op, strings.SplitN(c.Text, "\n", 2)[0])
	}
}
