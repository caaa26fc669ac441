// Package report turns a drill run into what operators read: a summary
// table on the terminal, Prometheus metrics, and report.html with a timeline
// picture per scenario (a lane per component, the outage window shaded).
package report

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pchatdr/harness/sim/world"
)

// Scenario is one scenario's outcome.
type Scenario struct {
	Name     string
	URI      string
	Started  time.Time
	Duration time.Duration
	Passed   bool
	Error    string
	// Outage and Objective are set by scenarios that run a failback.
	Outage, Objective time.Duration
	Events            []world.Event
}

// Run is a whole drill run.
type Run struct {
	Seed      int64
	Target    string
	Started   time.Time
	Duration  time.Duration
	Scenarios []Scenario
}

// WriteSummary prints the end-of-run table: scenario, result, outage,
// total, objective.
func WriteSummary(w io.Writer, scenarios []Scenario) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tRESULT\tOUTAGE\tTOTAL\tOBJECTIVE")
	passed := 0
	for _, s := range scenarios {
		result := "FAILED"
		if s.Passed {
			result = "passed"
			passed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, result, dur(s.Outage), s.Duration.Round(time.Millisecond), dur(s.Objective))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d scenarios: %d passed, %d failed\n", len(scenarios), passed, len(scenarios)-passed)
}

func dur(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

// RegisterDrillMetrics registers the run's metrics: per scenario duration
// and result, and the run's totals.
func RegisterDrillMetrics(reg prometheus.Registerer, scenarios []Scenario, total time.Duration) {
	dur := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "drill_scenario_duration_seconds", Help: "Wall time of each scenario of the last drill run.",
	}, []string{"scenario", "result"})
	count := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "drill_scenarios", Help: "Scenarios of the last drill run by result.",
	}, []string{"result"})
	run := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "drill_run_duration_seconds", Help: "Wall time of the last drill run.",
	})
	reg.MustRegister(dur, count, run)
	count.WithLabelValues("passed").Set(0)
	count.WithLabelValues("failed").Set(0)
	for _, s := range scenarios {
		result := "failed"
		if s.Passed {
			result = "passed"
		}
		dur.WithLabelValues(s.Name, result).Set(s.Duration.Seconds())
		count.WithLabelValues(result).Inc()
	}
	run.Set(total.Seconds())
}
