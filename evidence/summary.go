package evidence

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// WriteSummary prints the end-of-run table (per scenario its result, the
// failback's run time, the chat outage and messages lost, each against its
// objective, and the scenario's own time), the counts, the labelled steps,
// and the verdict per objective.
func WriteSummary(w io.Writer, rep Report) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tRESULT\tFAILBACK/RTO\tOUTAGE/OBJECTIVE\tLOST\tTOTAL")
	n := map[string]int{}
	var labelled []Section
	for _, s := range rep.Sections {
		result := s.Result
		n[result]++
		if result == ResultFailed {
			result = "FAILED"
		}
		if len(s.Labels) > 0 {
			result += "*"
			labelled = append(labelled, s)
		}
		rto, outage, lost := "-", "-", "-"
		if j := s.Judge(); len(j) > 0 {
			v := j[len(j)-1].Verdicts
			rto = figure(v[0], s.Objectives.RTO)
			outage = figure(v[1], s.Objectives.Outage)
			lost = v[2].Measured
			if v[2].Status == NotMet {
				lost += " (NOT MET)"
			}
		} else if r := s.Refusals(); len(r) > 0 {
			rto = "refused: " + r[0].Check
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, result, rto, outage, lost, s.Duration.Round(time.Millisecond))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d scenarios: %d passed, %d skipped, %d failed\n", len(rep.Sections), n[ResultPassed], n[ResultSkipped], n[ResultFailed])
	for _, s := range labelled {
		fmt.Fprintf(w, "* %s:\n", s.Name)
		for _, l := range s.Labels {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
	WriteVerdicts(w, rep.Overall())
}

// WriteVerdicts prints one line per objective: its word and both figures.
func WriteVerdicts(w io.Writer, vs []Verdict) {
	for _, v := range vs {
		fmt.Fprintf(w, "%-6s %-12s %s\n", v.Objective, strings.ToUpper(v.Status), verdictLine(v))
	}
}

func verdictLine(v Verdict) string {
	var b strings.Builder
	if v.Status != NotMeasured {
		fmt.Fprintf(&b, "%s (objective %s): %s", v.Measured, v.Target, v.What)
	} else {
		b.WriteString(v.What)
	}
	if v.Note != "" {
		fmt.Fprintf(&b, "; %s", v.Note)
	}
	if v.Of != "" && v.Status != NotMeasured {
		fmt.Fprintf(&b, "; %s %q", v.OfWords(), v.Of)
	}
	return b.String()
}

// figure is "measured/objective", marked when the objective was missed.
func figure(v Verdict, objective time.Duration) string {
	s := v.Measured + "/" + dur(objective)
	if v.Status == NotMet {
		s += " (NOT MET)"
	}
	return s
}

// RegisterDrillMetrics registers the run's metrics: per scenario duration
// and result, and the run's totals.
func RegisterDrillMetrics(reg prometheus.Registerer, sections []Section, total time.Duration) {
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
	for _, r := range []string{ResultPassed, ResultSkipped, ResultFailed} {
		count.WithLabelValues(r).Set(0)
	}
	for _, s := range sections {
		dur.WithLabelValues(s.Name, s.Result).Set(s.Duration.Seconds())
		count.WithLabelValues(s.Result).Inc()
	}
	run.Set(total.Seconds())
}
