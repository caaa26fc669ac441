// Package metrics exports the failback engine's Prometheus metrics under
// the names design.md §3.4 fixes (they are a contract with dashboards and
// the drill's reports), fed from the engine's events, to a textfile, a
// Pushgateway or a /metrics endpoint.
//
// The engine runs two plans, failback and failover, under the same names
// and with no plan label, since design §3.4 fixes the label sets too:
// failback_runs_total{outcome} counts the runs of both plans;
// failback_step_duration_seconds{step} and
// failback_precondition_failures_total{check} stay apart because the two
// plans share no step or check name; failback_chat_outage_seconds and
// failback_log_shipping_last_restored_age_seconds are set by the failback
// plan only. The journal's plan field tells the runs apart.
package metrics

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"

	"github.com/pchatdr/harness/failback"
)

// Metrics holds the collectors in their own registry, so a process (the
// drill) can run several engines without clashing on the default one.
type Metrics struct {
	Registry          *prometheus.Registry
	StepDuration      *prometheus.GaugeVec
	RunDuration       prometheus.Gauge
	ChatOutage        prometheus.Gauge
	RTOObjective      prometheus.Gauge
	MessagesLost      prometheus.Gauge
	PreconditionFails *prometheus.CounterVec
	Runs              *prometheus.CounterVec
	LogShippingAge    prometheus.Gauge
}

// New registers every metric. The gauges a run may not reach (outage, log
// shipping age) start at 0 so a dashboard shows the series.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		StepDuration: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "failback_step_duration_seconds",
			Help: "Duration of the last run of each engine step, failback or failover (check, apply and verify)."}, []string{"step"}),
		RunDuration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "failback_run_duration_seconds",
			Help: "Duration of the failback run, from its first start (resumes included) to its end."}),
		ChatOutage: prometheus.NewGauge(prometheus.GaugeOpts{Name: "failback_chat_outage_seconds",
			Help: "Chat outage as the engine observes it: active list cleared to first chat-server session on the restored primary mgc."}),
		RTOObjective: prometheus.NewGauge(prometheus.GaugeOpts{Name: "failback_rto_objective_seconds",
			Help: "The recovery-time objective from the topology file."}),
		MessagesLost: prometheus.NewGauge(prometheus.GaugeOpts{Name: "failback_messages_lost",
			Help: "Messages acknowledged before the failback and missing after it (set by the harness; 0 unless told)."}),
		PreconditionFails: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "failback_precondition_failures_total",
			Help: "Preconditions that refused a run, by check."}, []string{"check"}),
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "failback_runs_total",
			Help: "Engine runs of both plans (failback and failover) by outcome (ok, failed, refused, interrupted)."}, []string{"outcome"}),
		LogShippingAge: prometheus.NewGauge(prometheus.GaugeOpts{Name: "failback_log_shipping_last_restored_age_seconds",
			Help: "Age of the last log backup restored on the log-shipping secondary when the engine verified it."}),
	}
	m.Registry.MustRegister(m.Collectors()...)
	return m
}

// Collectors are the metrics, for registering them elsewhere too (the drill
// exports every rehearsal's metrics in one file, each with its scenario).
func (m *Metrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.StepDuration, m.RunDuration, m.ChatOutage, m.RTOObjective, m.MessagesLost,
		m.PreconditionFails, m.Runs, m.LogShippingAge}
}

// SetObjective sets failback_rto_objective_seconds.
func (m *Metrics) SetObjective(rto time.Duration) { m.RTOObjective.Set(rto.Seconds()) }

// SetMessagesLost sets failback_messages_lost (the harness counts them).
func (m *Metrics) SetMessagesLost(n int) { m.MessagesLost.Set(float64(n)) }

// Event is a failback.Sink: it turns engine events into metric values.
func (m *Metrics) Event(e failback.Event) {
	switch e.Kind {
	case failback.KindStepEnd:
		if e.Step != "" && e.Outcome != failback.OutcomeSkipped {
			m.StepDuration.WithLabelValues(e.Step).Set(e.Seconds)
		}
	case failback.KindPrecondition:
		if e.Outcome == failback.OutcomeFailed {
			m.PreconditionFails.WithLabelValues(e.Check).Inc()
		}
	case failback.KindRunEnd:
		if e.Attrs["dry-run"] == "" {
			m.RunDuration.Set(e.Seconds)
			m.Runs.WithLabelValues(e.Outcome).Inc()
		}
	case failback.KindMeasure:
		switch e.Name {
		case failback.MeasureChatOutage:
			m.ChatOutage.Set(e.Seconds)
		case failback.MeasureLogShippingAge:
			m.LogShippingAge.Set(e.Seconds)
		}
	}
}

// WriteTextfile writes the metrics for node_exporter's textfile collector
// (atomically: a temporary file renamed into place).
func (m *Metrics) WriteTextfile(path string) error {
	if err := prometheus.WriteToTextfile(path, m.Registry); err != nil {
		return fmt.Errorf("metrics textfile %s: %w", path, err)
	}
	return nil
}

// Push sends the metrics to a Pushgateway under job "failback", grouped by
// pool, replacing the group's previous values.
func (m *Metrics) Push(ctx context.Context, url, pool string) error {
	p := push.New(url, "failback").Gatherer(m.Registry).Grouping("pool", pool)
	if err := p.PushContext(ctx); err != nil {
		return fmt.Errorf("metrics push %s: %w", url, err)
	}
	return nil
}

// Handler serves /metrics while a long run goes on.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}
