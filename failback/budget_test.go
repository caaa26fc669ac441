package failback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

func TestBudgetFor(t *testing.T) {
	b := failback.BudgetFor(200<<30, topology.Backups{ThroughputMBps: 100, BudgetFactor: 2})
	if want := 2 * 2048 * time.Second; b.Duration != want {
		t.Errorf("200 GB at 100 MB/s times 2: %s, want %s", b.Duration, want)
	}
	d := failback.BudgetFor(50<<20, topology.Backups{})
	if want := time.Duration(float64(50)/topology.DefaultThroughputMBps*topology.DefaultBudgetFactor) * time.Second; d.Duration != want {
		t.Errorf("defaults: %s, want %s", d.Duration, want)
	}
}

// A budgeted step that runs past its budget is warned about, once, and
// never cancelled: its Apply sees a live context to the end.
func TestBudgetOverrunWarnsWithoutCancelling(t *testing.T) {
	applyErr := make(chan error, 1)
	plan := &failback.Plan{Name: "budget-test", Steps: []failback.Step{{
		Name: "slow", Title: "a statement slower than its budget",
		Budget: func(context.Context, *failback.Env) (failback.Budget, error) {
			return failback.Budget{Bytes: 1, Copy: 1, Duration: 10 * time.Millisecond, Why: "test"}, nil
		},
		Check: func(context.Context, *failback.Env) (bool, string, error) { return false, "not yet", nil },
		Apply: func(ctx context.Context, _ *failback.Env) error {
			select {
			case <-time.After(200 * time.Millisecond):
				applyErr <- nil
			case <-ctx.Done():
				applyErr <- ctx.Err()
			}
			return nil
		},
		Verify: func(context.Context, *failback.Env) error { return nil },
	}}}
	rec := &recorder{}
	env := &failback.Env{Topo: &topology.Topology{Pool: topology.Pool{FQDN: "pchat.contoso.test"}}}
	r := &failback.Runner{Plan: plan, Env: env, Sinks: []failback.Sink{rec}}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatalf("run: %v", err)
	}
	if err := <-applyErr; err != nil {
		t.Fatalf("the budget cancelled the running statement: %v", err)
	}
	var set, overrun int
	for _, e := range rec.kind(failback.KindBudget) {
		switch e.Outcome {
		case failback.BudgetSet:
			set++
		case failback.BudgetOverrun:
			overrun++
			if e.Step != "slow" || !strings.Contains(e.Message, "goes on") {
				t.Errorf("overrun event %+v", e)
			}
		}
	}
	if set != 1 || overrun != 1 {
		t.Errorf("%d budget and %d overrun events, want 1 and 1", set, overrun)
	}
	if ends := rec.kind(failback.KindStepEnd); len(ends) != 1 || ends[0].Outcome != failback.OutcomeVerified {
		t.Errorf("step ends %+v, want one verified", ends)
	}
}

func TestParsePercent(t *testing.T) {
	for _, c := range []struct {
		m    sqlserver.Message
		want int
		ok   bool
	}{
		{sqlserver.Message{Number: 3211, Class: 10, Text: "10 percent processed."}, 10, true},
		{sqlserver.Message{Number: 3211, Text: "100 percent processed."}, 100, true},
		{sqlserver.Message{Number: 3014, Text: "BACKUP DATABASE successfully processed 10 pages in 0.1 seconds (1.0 MB/sec)."}, 0, false},
		{sqlserver.Message{Number: 4035, Text: "Processed 10 pages for database 'mgc', file 'mgc' on file 1."}, 0, false},
		{sqlserver.Message{Number: 3211, Text: "250 percent processed."}, 0, false},
	} {
		got, ok := failback.ParsePercent(c.m)
		if got != c.want || ok != c.ok {
			t.Errorf("ParsePercent(%q) = %d, %t; want %d, %t", c.m.Text, got, ok, c.want, c.ok)
		}
	}
}
