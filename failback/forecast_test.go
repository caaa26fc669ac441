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
	in := ForecastInputs{MgcBytes: 1 << 30, MgcSource: "test", BackupBps: 200e6, BackupSource: "test", LinkMbps: 1000, RTT: 4 * time.Millisecond, FreeOnPrimary: 1 << 40,
		ShareDataCenter: "dc1", BackupCrosses: true}
	f := ComputeForecast(in, topology.Objectives{RTO: 5 * time.Minute, Outage: 30 * time.Second})
	link := float64(1<<30)*8/1e9 + 0.004 // 8.594 s per crossing
	disk := float64(1<<30) / 200e6       // 5.369 s per local pass
	want := map[string]float64{
		StepBackup:      link + disk, // written across the link; the primary verifies it beside the share
		StepRestore:     disk,        // the primary restores it locally
		StepLogShipping: forecastLSJobs.Seconds(),
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
	// Half the bandwidth: the one crossing takes twice as long.
	in.LinkMbps = 500
	h := ComputeForecast(in, topology.Objectives{})
	if d := h.RTOSeconds - f.RTOSeconds; math.Abs(d-(link-0.004)) > 0.01 {
		t.Fatalf("half the bandwidth adds %.3fs, want %.3fs", d, link-0.004)
	}
	// The share beside the backup: the primary's verification and restore
	// cross, the backup is local.
	in.LinkMbps, in.BackupCrosses, in.PrimaryCrosses = 1000, false, true
	g := ComputeForecast(in, topology.Objectives{})
	if s := g.Steps[2].Seconds + g.Steps[3].Seconds; math.Abs(s-(disk+2*link)) > 0.01 {
		t.Fatalf("steps 3 and 4 with the share beside the backup: %.3fs, want %.3fs", s, disk+2*link)
	}
	// With a primary-mirror, step 8 copies mgc once more (a local backup
	// on the primary, a restore on the mirror): in the RTO, not in the
	// outage.
	in.BackupCrosses, in.PrimaryCrosses, in.HasPrimaryMirror = true, false, true
	m := ComputeForecast(in, topology.Objectives{})
	if len(m.Steps) != 9 || m.Steps[7].Step != StepMirrorPrimary || m.Steps[8].Step != StepLogShippingFromMirror {
		t.Fatalf("steps with a primary-mirror: %+v", m.Steps)
	}
	if want := 2*disk + forecastCmdlet.Seconds(); math.Abs(m.Steps[7].Seconds-want) > 0.01 {
		t.Fatalf("step 8: %.3fs, want %.3fs (backup and restore of mgc at the disks' rate)", m.Steps[7].Seconds, want)
	}
	if d := m.RTOSeconds - f.RTOSeconds; math.Abs(d-m.Steps[7].Seconds-m.Steps[8].Seconds) > 0.001 || m.OutSeconds != f.OutSeconds {
		t.Fatalf("RTO %.3f (without the mirror %.3f), outage %.3f (without %.3f): steps 8 and 9 belong to the RTO only", m.RTOSeconds, f.RTOSeconds, m.OutSeconds, f.OutSeconds)
	}
	// No history, little free space: said so.
	n := ComputeForecast(ForecastInputs{MgcBytes: 1 << 20, DataBytes: 1 << 30, FreeOnPrimary: 1 << 20}, topology.Objectives{})
	if !strings.Contains(strings.Join(n.Assumptions, "\n"), "no full backup in msdb") || len(n.Warnings) != 1 {
		t.Fatalf("assumptions %q warnings %q", n.Assumptions, n.Warnings)
	}
}

// TestCalibrateOverheads: a step's overhead is its duration less the
// statements that move mgc; the reconnection is the outage less the steps.
func TestCalibrateOverheads(t *testing.T) {
	var evs []Event
	evs = append(evs, Event{Kind: KindRunStart, RunID: "r1"})
	for _, s := range FailbackPlan().Steps {
		evs = append(evs, Event{Kind: KindStepEnd, Step: s.Name, Outcome: OutcomeVerified, Seconds: 2})
	}
	evs = append(evs,
		Event{Kind: KindSent, Step: StepBackup, Text: "BACKUP DATABASE [mgc] TO DISK = N'x'", Seconds: 1.5},
		Event{Kind: KindSent, Text: "SELECT CHECKSUM_AGG(1) FROM t", Seconds: 1}, // a precondition's, outside every step
		Event{Kind: KindSent, Step: StepRestore, Text: "RESTORE DATABASE [mgc] FROM DISK = N'x' WITH REPLACE", Seconds: 0.5,
			Info: []string{"50 percent processed.", "RESTORE DATABASE successfully processed 12800 pages in 0.500 seconds (200.000 MB/sec)."}},
		Event{Kind: KindSent, Step: StepRestore, Text: "SELECT COUNT_BIG(*), CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t", Seconds: 3},
		Event{Kind: KindSent, Step: StepLogShipping, Text: "EXEC msdb.dbo.sp_start_job N'LSCopy'", Seconds: 1},
		Event{Kind: KindMeasure, Name: MeasureChatOutage, Seconds: 15},
		// Step 8 took 5 s in all: its cmdlet restored mgc on the mirror as
		// step 4 did (0.5 s); the local backup it also made stays in its
		// 4.5 s (Bytes), for the forecast to take out at the disks' rate
		// (step 3's BACKUP crossed the link: not a local backup's time).
		Event{Kind: KindStepEnd, Step: StepMirrorPrimary, Outcome: OutcomeVerified, Seconds: 3})
	o, ok := CalibrateOverheads(evs)
	if !ok {
		t.Fatal("a complete run did not calibrate")
	}
	if o.RestoreBps != 12800*8192/0.5 || o.Bytes != 12800*8192 {
		t.Errorf("restore throughput %g of %d bytes, want %g of %d from message 3014", o.RestoreBps, o.Bytes, 12800*8192/0.5, 12800*8192)
	}
	want := map[string]time.Duration{StepBackup: 500 * time.Millisecond, StepRestore: 0, StepLogShipping: 2 * time.Second, StepPoolNormal: 2 * time.Second,
		StepMirrorPrimary: 4500 * time.Millisecond}
	for k, d := range want {
		if o.Steps[k] != d {
			t.Errorf("%s overhead %s, want %s", k, o.Steps[k], d)
		}
	}
	if o.Reconnect != time.Second || !strings.Contains(o.Source, "r1") {
		t.Fatalf("reconnect %s source %q", o.Reconnect, o.Source)
	}
	if _, ok := CalibrateOverheads(evs[:3]); ok {
		t.Fatal("an incomplete run calibrated")
	}
}

// TestShortBackupHistory: msdb.dbo.backupset dates have whole seconds, so
// backups that each took a fraction of a second show 0 or 1 s. The 100 MiB
// bench-scale run showed the estimator's defect (forecast 133% above the
// measured outage on a quiet machine): it left out the backups whose dates
// fell in the same second, so only those that straddled a second boundary
// counted, each as a full second (a bias towards slow disks). And with no
// timing at all the forecast assumed a fixed 50 MB/s even when a
// calibration run had SQL Server's own millisecond figure (3014).
func TestShortBackupHistory(t *testing.T) {
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	recs := []BackupRecord{
		{Database: "mgc", Size: 100e6, Start: at, Finish: at.Add(time.Second)}, // straddled a boundary
		{Database: "mgc", Size: 100e6, Start: at, Finish: at},                  // within one second
		{Database: "mgccomp", Size: 4e6, Start: at, Finish: at},
		{Database: "mgc", Size: 100e6, Start: at.Add(time.Minute), Finish: at}, // finish before start: not a timing
	}
	bytes, secs := backupTiming(recs)
	if bytes != 204e6 || secs != 1 {
		t.Errorf("backupTiming = %d bytes in %gs, want 204000000 in 1s (every backup whose dates are in order counts)", bytes, secs)
	}
	cal := &Overheads{Steps: map[string]time.Duration{}, RestoreBps: 400e6, Source: "calibrated on run r1"}
	// A short history is used, and said to be imprecise.
	in := ForecastInputs{MgcBytes: 100e6, BackupBps: 204e6, BackupTimedSeconds: 1, BackupSource: "test", Overheads: cal}
	f := ComputeForecast(in, topology.Objectives{})
	if s := f.Steps[2]; s.Step != StepBackup || math.Abs(s.Seconds-2*100e6/204e6) > 0.001 {
		t.Errorf("backup step %.3fs, want %.3fs at msdb's 204 MB/s", s.Seconds, 2*100e6/204e6)
	}
	if a := strings.Join(f.Assumptions, "\n"); !strings.Contains(a, "too short to time well") {
		t.Errorf("assumptions do not say msdb's figure is imprecise:\n%s", a)
	}
	in.BackupTimedSeconds = 12
	if a := strings.Join(ComputeForecast(in, topology.Objectives{}).Assumptions, "\n"); strings.Contains(a, "too short") {
		t.Errorf("12 s of backups called too short:\n%s", a)
	}
	// No timing in msdb: the calibration's 3014 rate, not a fixed guess.
	in = ForecastInputs{MgcBytes: 100e6, Overheads: cal}
	g := ComputeForecast(in, topology.Objectives{})
	if s := g.Steps[2]; math.Abs(s.Seconds-0.5) > 0.001 {
		t.Errorf("backup step without msdb timing %.3fs, want 0.500 s at the calibrated 400 MB/s", s.Seconds)
	}
	if a := strings.Join(g.Assumptions, "\n"); !strings.Contains(a, "calibrated restore rate, 400 MB/s") {
		t.Errorf("assumptions do not name the calibrated rate:\n%s", a)
	}
}

// TestCalibratedMirrorStep: step 8's Install-CsMirrorDatabase makes a
// local backup of the primary mgc and a restore on the primary-mirror
// (both in the primary data center), then waits for the session to
// synchronise. The calibration took its own time as the step less step
// 3's BACKUP and step 4's RESTORE; but step 3's BACKUP crossed the link
// to the share, so at the calibration's size it took the link's time, not
// a local backup's, and the synchronisation and the cmdlet's other work
// were subtracted away (clamped to 0): the forecast left them out of the
// RTO, 1-3 s short at 1 GiB (the bench's 21 % RTO error). Now the step
// keeps its time less the restore the journal timed, and the forecast
// takes out the calibration's local backup at the disks' throughput it
// uses for the run's own.
func TestCalibratedMirrorStep(t *testing.T) {
	const calBytes = 65536 * 8192 // 512 MiB, as 3014 reports the calibration's restore
	var evs []Event
	evs = append(evs, Event{Kind: KindRunStart, RunID: "r1"})
	for _, s := range FailbackPlan().Steps {
		d := 0.1
		switch s.Name {
		case StepBackup:
			d = 4.5 // BACKUP across the link 4 s, verification 0.5 s
		case StepRestore:
			d = 2
		case StepMirrorPrimary:
			d = 5 // local backup 1 s, restore 2 s, its own 2 s
		}
		evs = append(evs, Event{Kind: KindStepEnd, Step: s.Name, Outcome: OutcomeVerified, Seconds: d})
	}
	evs = append(evs,
		Event{Kind: KindSent, Step: StepBackup, Text: "BACKUP DATABASE [mgc] TO DISK = N'x'", Seconds: 4,
			Info: []string{"BACKUP DATABASE successfully processed 65538 pages in 4.000 seconds (128.000 MB/sec)."}},
		Event{Kind: KindSent, Step: StepBackup, Text: "RESTORE VERIFYONLY FROM DISK = N'x' WITH FILE = 1, CHECKSUM", Seconds: 0.5},
		Event{Kind: KindSent, Step: StepRestore, Text: "RESTORE DATABASE [mgc] FROM DISK = N'x' WITH REPLACE", Seconds: 2,
			Info: []string{"RESTORE DATABASE successfully processed 65536 pages in 2.000 seconds (256.000 MB/sec)."}},
		Event{Kind: KindMeasure, Name: MeasureChatOutage, Seconds: 8})
	o, ok := CalibrateOverheads(evs)
	if !ok {
		t.Fatal("a complete run did not calibrate")
	}
	// The run: twice the calibration's mgc; the nightly backup timed the
	// disks at 512 MiB/s; the share beside the primary and its mirror.
	in := ForecastInputs{MgcBytes: 2 * calBytes, MgcSource: "test", BackupBps: calBytes, BackupSource: "test", LinkMbps: 1000,
		ShareDataCenter: "dc1", BackupCrosses: true, HasPrimaryMirror: true, Overheads: o, FreeOnPrimary: -1}
	f := ComputeForecast(in, topology.Objectives{})
	var mirror StepForecast
	for _, s := range f.Steps {
		if s.Step == StepMirrorPrimary {
			mirror = s
		}
	}
	// Local backup 2 s, restore 4 s (256 MiB/s), its own 2 s.
	if want := 8.0; math.Abs(mirror.Seconds-want) > 0.01 {
		t.Errorf("step 8 forecast %.3fs, want %.3fs (backup 2 s at the disks' rate, restore 4 s at the calibrated rate, 2 s of its own)", mirror.Seconds, want)
	}
	// RESTORE VERIFYONLY reads the set once and writes nothing: the
	// calibration timed it at 1 GiB/s (512 MiB in 0.5 s), twice a
	// backup's rate; taken as a backup's, it was twice as long.
	link := float64(2*calBytes)*8/1e9 + 0 // the backup's crossing, no RTT
	if s := f.Steps[2]; s.Step != StepBackup || math.Abs(s.Seconds-(link+1)) > 0.01 {
		t.Errorf("step 3 forecast %.3fs, want %.3fs (the link's %.3f s, then 1 s of verification at the calibrated 1 GiB/s)", s.Seconds, link+1, link)
	}
}

// TestFineBackupDates: backupset's dates are datetime (3.33 ms). The
// simulator fills them to the millisecond, and a forecast from them was
// still told its history of a few seconds was "too short to time well by
// msdb's whole-second dates": a warning about a precision the dates did
// not lack. Dates with fractions of a second are told apart and time the
// disks without it; whole-second ones still warn.
func TestFineBackupDates(t *testing.T) {
	at := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	whole := []BackupRecord{{Database: "mgc", Size: 100e6, Start: at, Finish: at.Add(time.Second)}}
	fine := []BackupRecord{{Database: "mgc", Size: 100e6, Start: at.Add(730 * time.Millisecond), Finish: at.Add(1007 * time.Millisecond)}}
	if fineDates(whole) || !fineDates(fine) {
		t.Fatalf("fineDates: whole-second dates %t, millisecond ones %t; want false, true", fineDates(whole), fineDates(fine))
	}
	in := ForecastInputs{MgcBytes: 100e6, BackupBps: 361e6, BackupTimedSeconds: 0.277, BackupSource: "test", BackupFineDates: true}
	if a := strings.Join(ComputeForecast(in, topology.Objectives{}).Assumptions, "\n"); strings.Contains(a, "too short") {
		t.Errorf("millisecond dates called too short to time well:\n%s", a)
	}
	in.BackupFineDates = false
	if a := strings.Join(ComputeForecast(in, topology.Objectives{}).Assumptions, "\n"); !strings.Contains(a, "too short") {
		t.Errorf("whole-second dates of 0.3 s not said to be imprecise:\n%s", a)
	}
}
