package failback_test

import (
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
)

// newFailoverFixture is a deployment right after the primary data center
// was lost, with log shipping's files as the model's jobs left them.
func newFailoverFixture(t testing.TB) *fixture {
	return newFailoverFixtureLogs(t, memory.DefaultFailoverLogs)
}

func newFailoverFixtureLogs(t testing.TB, logs memory.FailoverLogs) *fixture {
	t.Helper()
	topo := loadTopo(t)
	c := newClock()
	w := memory.NewFailoverWorld(topo, logs)
	w.Now = c.Now
	f := &fixture{topo: topo, world: w, clock: c}
	f.env = f.newEnv()
	return f
}

func failoverRunner(f *fixture, sinks ...failback.Sink) *failback.Runner {
	return &failback.Runner{Plan: failback.FailoverPlan(), Env: f.env, Sinks: sinks}
}
