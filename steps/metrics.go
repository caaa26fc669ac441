package steps

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pchatdr/harness/failback"
)

// metricNames are design.md §3.4's contract.
var metricNames = []string{
	"failback_step_duration_seconds", "failback_run_duration_seconds", "failback_chat_outage_seconds",
	"failback_rto_objective_seconds", "failback_messages_lost", "failback_precondition_failures_total",
	"failback_runs_total", "failback_log_shipping_last_restored_age_seconds",
}

// metricsExported checks the run's metrics registry (what the drill writes
// to metrics.prom and pushes): every name, and the values the scenario
// measured itself.
func metricsExported(ctx context.Context) error {
	st := get(ctx)
	run := st.engine
	if run == nil || run.metrics == nil {
		return fmt.Errorf("the engine has not run")
	}
	m := run.metrics
	fams, err := m.Registry.Gather()
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range fams {
		have[f.GetName()] = true
	}
	var errs []error
	for _, n := range metricNames {
		if n == "failback_precondition_failures_total" {
			// A counter vector has no series until a check refuses.
			if c := testutil.CollectAndCount(m.PreconditionFails, n); c != 0 {
				errs = append(errs, fmt.Errorf("%s has %d series, want none (every precondition passed)", n, c))
			}
			continue
		}
		if !have[n] {
			errs = append(errs, fmt.Errorf("%s was not exported", n))
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-6 }
	if v := testutil.ToFloat64(m.Runs.WithLabelValues(failback.OutcomeOK)); v != 1 {
		errs = append(errs, fmt.Errorf(`failback_runs_total{outcome="ok"} = %g, want 1`, v))
	}
	if c := testutil.CollectAndCount(m.Runs); c != 1 {
		errs = append(errs, fmt.Errorf("failback_runs_total has %d outcomes, want only ok", c))
	}
	for _, s := range run.plan.Steps {
		if v := testutil.ToFloat64(m.StepDuration.WithLabelValues(s.Name)); !(v > 0) {
			errs = append(errs, fmt.Errorf(`failback_step_duration_seconds{step=%q} = %g, want > 0`, s.Name, v))
		}
	}
	if v := testutil.ToFloat64(m.ChatOutage); run.outageSeconds <= 0 || !near(v, run.outageSeconds) {
		errs = append(errs, fmt.Errorf("failback_chat_outage_seconds = %g, the engine measured %g", v, run.outageSeconds))
	}
	if v := testutil.ToFloat64(m.RunDuration); !near(v, run.result.Duration.Seconds()) {
		errs = append(errs, fmt.Errorf("failback_run_duration_seconds = %g, the run took %g", v, run.result.Duration.Seconds()))
	}
	if v, want := testutil.ToFloat64(m.RTOObjective), st.world.Topology.Objectives.RTO.Seconds(); v != want {
		errs = append(errs, fmt.Errorf("failback_rto_objective_seconds = %g, the topology says %g", v, want))
	}
	if !run.ledgerChecked {
		errs = append(errs, fmt.Errorf("failback_messages_lost was never set from a ledger check on the primary"))
	} else if v := testutil.ToFloat64(m.MessagesLost); v != 0 {
		errs = append(errs, fmt.Errorf("failback_messages_lost = %g, want 0", v))
	}
	if v := testutil.ToFloat64(m.LogShippingAge); v < 0 {
		errs = append(errs, fmt.Errorf("failback_log_shipping_last_restored_age_seconds = %g, want >= 0", v))
	}
	return errors.Join(errs...)
}
