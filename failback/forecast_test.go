package failback

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/topology"
)

// TestComputeForecast: 1 GiB of mgc over a 1 Gbit/s link with 200 MB/s
// disks: the link bounds the three crossings, the disks the rest, and the
// verdicts follow the objectives.
func TestComputeForecast(t *testing.T) {
	in := ForecastInputs{MgcBytes: 1 << 30, MgcSource: "test", BackupBps: 200e6, BackupSource: "test", LinkMbps: 1000, RTT: 4 * time.Millisecond, FreeOnPrimary: 1 << 40}
	f := ComputeForecast(in, topology.Objectives{RTO: 5 * time.Minute, Outage: 30 * time.Second})
	link := float64(1<<30)*8/1e9 + 0.004 // 8.594 s per crossing
	disk := float64(1<<30) / 200e6       // 5.369 s per local pass
	want := map[string]float64{
		StepBackup:      2 * link,
		StepRestore:     3 * disk,
		StepLogShipping: 2*disk + link + forecastLSJobs.Seconds(),
	}
	for _, s := range f.Steps {
		if w, ok := want[s.Step]; ok && math.Abs(s.Seconds-w) > 0.01 {
			t.Errorf("%s: %.3fs, want %.3fs", s.Step, s.Seconds, w)
		}
	}
	if len(f.Steps) != 7 {
		t.Fatalf("%d steps, want 7", len(f.Steps))
	}
	sum := 0.0
	for _, s := range f.Steps {
		sum += s.Seconds
	}
	if math.Abs(f.RTOSeconds-sum) > 0.001 || f.OutSeconds <= f.RTOSeconds {
		t.Fatalf("RTO %.3f (steps %.3f), outage %.3f", f.RTOSeconds, sum, f.OutSeconds)
	}
	if !f.RTOMet || f.OutageMet {
		t.Fatalf("verdicts RTO met=%v outage met=%v; want met and not met (forecast %s / %s)", f.RTOMet, f.OutageMet, f.RTO, f.Outage)
	}
	out := f.String()
	for _, w := range []string{"RTO     met", "Outage  not met", "restores run at the backups' throughput", "1000 Mbit/s"} {
		if !strings.Contains(out, w) {
			t.Errorf("forecast text lacks %q:\n%s", w, out)
		}
	}
	// Half the bandwidth: each crossing takes twice as long.
	in.LinkMbps = 500
	h := ComputeForecast(in, topology.Objectives{})
	if d := h.RTOSeconds - f.RTOSeconds; math.Abs(d-3*(link-0.004)) > 0.01 {
		t.Fatalf("half the bandwidth adds %.3fs, want %.3fs", d, 3*(link-0.004))
	}
	// No history, little free space: said so.
	g := ComputeForecast(ForecastInputs{MgcBytes: 1 << 20, DataBytes: 1 << 30, FreeOnPrimary: 1 << 20}, topology.Objectives{})
	if !strings.Contains(strings.Join(g.Assumptions, "\n"), "no full backup in msdb") || len(g.Warnings) != 1 {
		t.Fatalf("assumptions %q warnings %q", g.Assumptions, g.Warnings)
	}
}
