package metrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/metrics"
)

func feed(m *metrics.Metrics) {
	for _, e := range []failback.Event{
		{Kind: failback.KindPrecondition, Check: failback.PreNameShare, Outcome: failback.OutcomeFailed},
		{Kind: failback.KindPrecondition, Check: failback.PreNameShare, Outcome: failback.OutcomeFailed},
		{Kind: failback.KindPrecondition, Check: failback.PreNamePlacement, Outcome: failback.OutcomeOK},
		{Kind: failback.KindStepEnd, Step: failback.StepRestore, Outcome: failback.OutcomeVerified, Seconds: 12.5},
		{Kind: failback.KindStepEnd, Step: failback.StepBackup, Outcome: failback.OutcomeSkipped, Seconds: 0.1},
		{Kind: failback.KindMeasure, Name: failback.MeasureChatOutage, Seconds: 95},
		{Kind: failback.KindMeasure, Name: failback.MeasureLogShippingAge, Seconds: 7},
		{Kind: failback.KindRunEnd, Outcome: failback.OutcomeOK, Seconds: 300},
		{Kind: failback.KindRunEnd, Outcome: failback.OutcomeOK, Seconds: 200, Attrs: map[string]string{"dry-run": "true"}},
	} {
		m.Event(e)
	}
	m.SetObjective(5 * time.Minute)
}

func TestValues(t *testing.T) {
	m := metrics.New()
	feed(m)
	for name, c := range map[string]struct {
		got, want float64
	}{
		"precondition share":  {testutil.ToFloat64(m.PreconditionFails.WithLabelValues(failback.PreNameShare)), 2},
		"precondition placed": {testutil.ToFloat64(m.PreconditionFails.WithLabelValues(failback.PreNamePlacement)), 0},
		"step restore":        {testutil.ToFloat64(m.StepDuration.WithLabelValues(failback.StepRestore)), 12.5},
		"skipped step":        {testutil.ToFloat64(m.StepDuration.WithLabelValues(failback.StepBackup)), 0},
		"outage":              {testutil.ToFloat64(m.ChatOutage), 95},
		"ls age":              {testutil.ToFloat64(m.LogShippingAge), 7},
		"run duration":        {testutil.ToFloat64(m.RunDuration), 300},
		"runs ok":             {testutil.ToFloat64(m.Runs.WithLabelValues("ok")), 1},
		"rto":                 {testutil.ToFloat64(m.RTOObjective), 300},
		"lost":                {testutil.ToFloat64(m.MessagesLost), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", name, c.got, c.want)
		}
	}
}

// TestNames pins the metric names of design.md §3.4.
func TestNames(t *testing.T) {
	m := metrics.New()
	feed(m)
	want := []string{"failback_step_duration_seconds", "failback_run_duration_seconds", "failback_chat_outage_seconds",
		"failback_rto_objective_seconds", "failback_messages_lost", "failback_precondition_failures_total",
		"failback_runs_total", "failback_log_shipping_last_restored_age_seconds"}
	n, err := testutil.GatherAndCount(m.Registry, want...)
	if err != nil {
		t.Fatal(err)
	}
	// 2 step series + 1 each + 2 precondition series (share, placement created by WithLabelValues) + 1 runs series.
	if n < len(want) {
		t.Fatalf("gathered %d series for %d names", n, len(want))
	}
	expected := `
# HELP failback_chat_outage_seconds Chat outage as the engine observes it: active list cleared to first chat-server session on the restored primary mgc.
# TYPE failback_chat_outage_seconds gauge
failback_chat_outage_seconds 95
`
	if err := testutil.GatherAndCompare(m.Registry, strings.NewReader(expected), "failback_chat_outage_seconds"); err != nil {
		t.Error(err)
	}
}

func TestTextfileAndHandlerAndPush(t *testing.T) {
	m := metrics.New()
	feed(m)
	path := filepath.Join(t.TempDir(), "failback.prom")
	if err := m.WriteTextfile(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `failback_step_duration_seconds{step="restore-primary-mgc"} 12.5`) {
		t.Errorf("textfile lacks the restore step:\n%s", b)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "failback_runs_total{outcome=\"ok\"} 1") {
		t.Errorf("/metrics lacks runs_total:\n%s", body)
	}
	var gotPath string
	var gotBody []byte
	pg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.Path
		gotBody, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	defer pg.Close()
	if err := m.Push(context.Background(), pg.URL, "pchat.contoso.test"); err != nil {
		t.Fatal(err)
	}
	if gotPath != "/metrics/job/failback/pool/pchat.contoso.test" {
		t.Errorf("push path %q", gotPath)
	}
	if len(gotBody) == 0 {
		t.Error("push sent no body")
	}
}
