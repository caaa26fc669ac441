// Package evidence turns a drill run into what operators read: a summary
// table on the terminal, Prometheus metrics, and report.html with a timeline
// picture per scenario (a lane per component, the outage window shaded).
package evidence

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pchatdr/harness/sim/faultplan"
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
	// Schedule is the seeded fault schedule the scenario drew, if it drew
	// one (features/chaos.feature).
	Schedule *faultplan.Schedule
	// Skipped says a step could not be done on the run's target (Passed
	// is then true: nothing failed); Labels say which steps were emulated
	// or not applicable there, and why. A skipped scenario proves nothing
	// and is never counted as passed.
	Skipped bool
	Labels  []string
}

// Result is how the summary, the report and the metrics name a scenario's
// outcome: passed, skipped or failed.
func (s Scenario) Result() string {
	switch {
	case !s.Passed:
		return "failed"
	case s.Skipped:
		return "skipped"
	}
	return "passed"
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
	n := map[string]int{}
	var labelled []Scenario
	for _, s := range scenarios {
		result := s.Result()
		n[result]++
		if result == "failed" {
			result = "FAILED"
		}
		if len(s.Labels) > 0 {
			result += "*"
			labelled = append(labelled, s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Name, result, dur(s.Outage), s.Duration.Round(time.Millisecond), dur(s.Objective))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d scenarios: %d passed, %d skipped, %d failed\n", len(scenarios), n["passed"], n["skipped"], n["failed"])
	for _, s := range labelled {
		fmt.Fprintf(w, "* %s:\n", s.Name)
		for _, l := range s.Labels {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
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
	count.WithLabelValues("skipped").Set(0)
	count.WithLabelValues("failed").Set(0)
	for _, s := range scenarios {
		result := s.Result()
		dur.WithLabelValues(s.Name, result).Set(s.Duration.Seconds())
		count.WithLabelValues(result).Inc()
	}
	run.Set(total.Seconds())
}

// WriteSchedules prints the fault schedule of every scenario that drew
// one, so a failed rehearsal's faults are on the terminal next to the
// seed that reproduces them. Nothing when no scenario drew one.
func WriteSchedules(w io.Writer, seed int64, scenarios []Scenario) {
	for _, s := range scenarios {
		if s.Schedule == nil {
			continue
		}
		fmt.Fprintf(w, "fault schedule (seed %d): %s\n", seed, s.Name)
		for _, line := range strings.Split(s.Schedule.String(), "\n") {
			fmt.Fprintf(w, "    %s\n", line)
		}
	}
}

// ScheduleFile is what schedule.json holds: the run's seed and every
// drawn schedule, ordered by scenario name (not by when scenarios ran),
// so two runs with the same seed write the same file.
type ScheduleFile struct {
	Seed      int64                `json:"seed"`
	Schedules []faultplan.Schedule `json:"schedules"`
}

// WriteScheduleJSON writes schedule.json atomically (temp file, rename).
func WriteScheduleJSON(path string, seed int64, scenarios []Scenario) error {
	f := ScheduleFile{Seed: seed, Schedules: []faultplan.Schedule{}}
	for _, s := range scenarios {
		if s.Schedule != nil {
			f.Schedules = append(f.Schedules, *s.Schedule)
		}
	}
	sort.SliceStable(f.Schedules, func(i, j int) bool { return f.Schedules[i].Scenario < f.Schedules[j].Scenario })
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("schedule.json: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".schedule-*.json")
	if err != nil {
		return fmt.Errorf("schedule.json: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("schedule.json: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("schedule.json: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("schedule.json: %w", err)
	}
	return nil
}
