package failback

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/topology"
)

// A forecast says, before the maintenance window, how long each step of
// the failback will take, from what the real servers know: the size of the
// backup mgc (its latest full backup in msdb, else its allocated size), the
// throughput of recent backups from msdb.dbo.backupset (start and finish
// dates), the restores msdb.dbo.restorehistory records, free space, and the
// link's bandwidth and RTT from the topology. It only reads.
//
// The model follows the engine's data movement. Step 3 writes the full
// backup of mgc to the share from the backup instance, and the primary
// reads it to verify it (RESTORE VERIFYONLY); step 4 restores it on the
// primary;
// the tail-log backup that fences the backup mgc is small, and step 5 sends
// no second full backup (the fenced backup mgc is already an initialised
// secondary). Each read or write of mgc on the share runs at the slower of
// the disk (the history's throughput) and, when the share stands in the
// other data center (topology share.dataCenter), the link: N·8/B plus a
// round trip. The chat outage is steps 1 to 7 plus the time the chat
// servers take to reconnect; the RTO is the whole run.
//
// A rehearsal's journal (CalibrateOverheads) gives what does not grow
// with mgc, each step's time less the statements that move it, and the
// rates SQL Server reported there: the restore's (3014), the
// verification's (its full set over its time), and the size they were
// measured on, so step 8's copies, which the cmdlet makes out of the
// journal's sight, are taken out at the same rates the forecast puts them
// back with.

// ForecastInputs are what a forecast is computed from.
type ForecastInputs struct {
	// MgcBytes is the size of a full backup of mgc; MgcSource says where
	// the figure came from.
	MgcBytes  int64
	MgcSource string
	// DataBytes and LogBytes are mgc's allocated data and log sizes on the
	// backup instance.
	DataBytes, LogBytes int64
	// BackupBps is the disk throughput of recent full backups (bytes per
	// second of backup_size); BackupSource explains it. 0: unknown.
	BackupBps    float64
	BackupSource string
	// BackupTimedSeconds is how many seconds of backups BackupBps was
	// measured over (msdb's dates have whole seconds: a short history
	// cannot time the disks).
	BackupTimedSeconds float64 `json:"backup_timed_seconds,omitempty"`
	// BackupFineDates says msdb's dates carry fractions of a second.
	// backupset's columns are datetime (3.33 ms) and the simulator fills
	// them to the millisecond; the documentation does not say how finely
	// a real server does, so whole seconds are assumed unless the dates
	// show a fraction. Fine dates time a short history as well as a long
	// one, and the forecast does not warn about it.
	BackupFineDates bool `json:"backup_fine_dates,omitempty"`
	// Restores is how many restores msdb records on the primary and
	// backup instances (restore_date is when each began: msdb has no
	// finish time for a restore, so their throughput is assumed equal to
	// the backups').
	Restores int
	// LinkMbps and RTT are the link between the primary's and the backup's
	// data centers; 0 when they share one.
	LinkMbps float64
	RTT      time.Duration
	// BackupCrosses and PrimaryCrosses say the share stands in the other
	// data center than the backup's (step 3 crosses the link) or the
	// primary's (step 4 does).
	BackupCrosses, PrimaryCrosses bool
	// HasPrimaryMirror says the topology has a primary-mirror: step 8
	// copies mgc to it (Install-CsMirrorDatabase: a full backup of the
	// primary mgc to the share, a restore on the mirror); MirrorCrosses
	// says the mirror reaches the share across the link.
	HasPrimaryMirror, MirrorCrosses bool
	ShareDataCenter                 string
	// FreeOnPrimary is the free space where the primary keeps mgc's data
	// (-1: unknown).
	FreeOnPrimary int64
	// Overheads are each step's time beyond moving mgc (cmdlets, waits,
	// jobs) and the chat servers' reconnection; nil: DefaultOverheads.
	// CalibrateOverheads takes them from an earlier run's journal.
	Overheads *Overheads `json:"overheads,omitempty"`
}

// restoreBps is the restore throughput: the calibration's when an earlier
// run measured one, else the backups'.
func (in ForecastInputs) restoreBps(disk float64) (float64, string) {
	if in.Overheads != nil && in.Overheads.RestoreBps > 0 {
		return in.Overheads.RestoreBps, fmt.Sprintf("restores at %.0f MB/s, as SQL Server reported them (message 3014) in %s", in.Overheads.RestoreBps/1e6, in.Overheads.Source)
	}
	return disk, "restores run at the backups' throughput (msdb.dbo.restorehistory records when a restore began, not when it ended)"
}

// Overheads are the parts of a failback that do not grow with mgc.
type Overheads struct {
	Steps     map[string]time.Duration `json:"steps"`
	Reconnect time.Duration            `json:"reconnect"`
	// Source says where they come from.
	Source string `json:"source"`
	// RestoreBps is the fastest full restore of the calibration run, from
	// SQL Server's own "RESTORE DATABASE successfully processed N pages in
	// S seconds" (3014) message; 0 when it had none.
	RestoreBps float64 `json:"restore_bps,omitempty"`
	// Bytes is the calibration run's mgc as its full restore's 3014
	// message counted it (0: none). When it is known, Steps[StepMirrorPrimary]
	// still holds the local backup of those bytes that step 8's cmdlet
	// made (the journal cannot time it: the cmdlet's statements are not
	// the engine's), and ComputeForecast takes it out at the disks'
	// throughput it uses for the run's own backup.
	Bytes int64 `json:"bytes,omitempty"`
	// VerifyBps is Bytes over the calibration's RESTORE VERIFYONLY of
	// its full backup (0: unknown): a verification reads the set once and
	// writes nothing, so it runs faster than a backup.
	VerifyBps float64 `json:"verify_bps,omitempty"`
}

// DefaultOverheads are a production pool's, as assumed without an earlier
// run to calibrate on: cmdlets over WinRM take seconds, the log-shipping
// jobs of step 5 run once each, chat servers poll the pool's configuration.
func DefaultOverheads() *Overheads {
	return &Overheads{Steps: map[string]time.Duration{
		StepClearActive: forecastCmdlet, StepRemoveMirror: forecastSQLStep, StepBackup: 0, StepRestore: 0,
		StepLogShipping: forecastLSJobs, StepSetActive: forecastCmdlet, StepPoolNormal: forecastCmdlet,
		StepMirrorPrimary: forecastCmdlet, StepLogShippingFromMirror: forecastLSJobs,
	}, Reconnect: forecastReconnect, Source: "assumed (no earlier run to calibrate on)"}
}

// CalibrateOverheads takes the overheads from an earlier run's events (a
// rehearsal's journal): each step's duration less the statements that move
// mgc (BACKUP, RESTORE, the table checksums), and the chat servers'
// reconnection as the measured outage less the steps' total. ok is false
// when the events hold no completed failback.
func CalibrateOverheads(events []Event) (o *Overheads, ok bool) {
	o = &Overheads{Steps: map[string]time.Duration{}}
	// The outage ends with pool Normal (step 7): the steps after it (the
	// pre-disaster configuration restored) are not part of what chat waits
	// for, so they do not count against the reconnection.
	inOutage := map[string]bool{}
	for _, s := range FailbackPlan().Steps {
		inOutage[s.Name] = true
		if s.Name == StepPoolNormal {
			break
		}
	}
	var steps time.Duration
	var outage float64
	run := ""
	// Step 8's Install-CsMirrorDatabase makes two copies of the same mgc
	// inside the cmdlet, where the journal shows no statement: a local
	// backup of the primary mgc and a restore on the primary-mirror. The
	// restore is timed by step 4's RESTORE DATABASE (the same set restored
	// beside the share); the backup is not timed by step 3's BACKUP
	// DATABASE, which crossed the link to the share: taking it for a local
	// one subtracted the link's time and left step 8 without the time of
	// its own (clamped to 0), 1-3 s short of the RTO at 1 GiB. With the
	// calibration's size known (3014), the backup stays in step 8 and
	// ComputeForecast takes it out at the disks' rate; without, both
	// statements are subtracted as before.
	var backupCopy, restoreCopy, verify time.Duration
	for _, e := range events {
		switch {
		case e.Kind == KindRunStart:
			run = e.RunID
		case e.Kind == KindStepEnd && (e.Outcome == OutcomeVerified || e.Outcome == OutcomeAlreadyDone):
			d := time.Duration(e.Seconds * float64(time.Second))
			o.Steps[e.Step] += d
			if inOutage[e.Step] {
				steps += d
			}
		case e.Kind == KindSent && e.Step != "" && movesMgc(e.Text):
			d := time.Duration(e.Seconds * float64(time.Second))
			o.Steps[e.Step] -= d
			up := strings.ToUpper(strings.TrimSpace(e.Text))
			switch {
			case e.Step == StepBackup && strings.HasPrefix(up, "BACKUP DATABASE"):
				backupCopy += d
			case e.Step == StepBackup && strings.HasPrefix(up, "RESTORE VERIFYONLY"):
				verify = max(verify, d) // the full set's, not the tail's
			case e.Step == StepRestore && strings.HasPrefix(up, "RESTORE DATABASE"):
				restoreCopy += d
			}
			if strings.HasPrefix(up, "RESTORE DATABASE") {
				for _, m := range e.Info {
					if pages, secs, ok := processed(m); ok && float64(pages)*8192/secs > o.RestoreBps {
						o.RestoreBps, o.Bytes = float64(pages)*8192/secs, pages*8192
					}
				}
			}
		case e.Kind == KindMeasure && e.Name == MeasureChatOutage:
			outage = e.Seconds
		}
	}
	if len(o.Steps) != len(FailbackPlan().Steps) || outage == 0 {
		return nil, false
	}
	if _, ok := o.Steps[StepMirrorPrimary]; ok {
		o.Steps[StepMirrorPrimary] -= restoreCopy
		if o.Bytes == 0 {
			o.Steps[StepMirrorPrimary] -= backupCopy
		}
	}
	if o.Bytes > 0 && verify > 0 {
		o.VerifyBps = float64(o.Bytes) / verify.Seconds()
	}
	for k, d := range o.Steps {
		o.Steps[k] = max(d, 0)
	}
	o.Reconnect = max(time.Duration(outage*float64(time.Second))-steps, 0)
	o.Source = "calibrated on run " + run
	return o, true
}

// processed reads SQL Server's 3014 message, "RESTORE DATABASE
// successfully processed 12345 pages in 6.789 seconds (14.205 MB/sec).":
// its pages and seconds.
func processed(msg string) (pages int64, secs float64, ok bool) {
	i := strings.Index(msg, "successfully processed ")
	if i < 0 {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(msg[i:], "successfully processed %d pages in %f seconds", &pages, &secs); err != nil || secs <= 0 || pages <= 0 {
		return 0, 0, false
	}
	return pages, secs, true
}

// movesMgc reports a statement whose time grows with mgc's size.
func movesMgc(text string) bool {
	t := strings.ToUpper(strings.TrimSpace(text))
	for _, p := range []string{"BACKUP DATABASE", "BACKUP LOG", "RESTORE DATABASE", "RESTORE LOG", "RESTORE VERIFYONLY"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return strings.Contains(t, "CHECKSUM_AGG(")
}

// StepForecast is one step's forecast duration and how it was reached.
type StepForecast struct {
	Step    string        `json:"step"`
	Seconds float64       `json:"seconds"`
	Basis   string        `json:"basis"`
	Took    time.Duration `json:"-"`
}

// Forecast is a whole failback's forecast.
type Forecast struct {
	Inputs      ForecastInputs `json:"inputs"`
	Steps       []StepForecast `json:"steps"`
	RTO         time.Duration  `json:"-"`
	Outage      time.Duration  `json:"-"`
	RTOSeconds  float64        `json:"rto_seconds"`
	OutSeconds  float64        `json:"outage_seconds"`
	Objectives  ObjectivesJSON `json:"objectives"`
	RTOMet      bool           `json:"rto_met"`
	OutageMet   bool           `json:"outage_met"`
	Assumptions []string       `json:"assumptions"`
	Warnings    []string       `json:"warnings,omitempty"`
}

// ObjectivesJSON are the topology's objectives in seconds.
type ObjectivesJSON struct {
	RTOSeconds    float64 `json:"rto_seconds"`
	OutageSeconds float64 `json:"outage_seconds"`
}

// Fixed costs of the steps that move no data, and of the chat servers'
// reconnection, as the simulator and a real pool show them (cmdlets over
// WinRM take seconds; chat servers poll the pool's configuration).
const (
	forecastCmdlet    = 3 * time.Second
	forecastSQLStep   = 1 * time.Second
	forecastLSJobs    = 10 * time.Second
	forecastReconnect = 5 * time.Second
	// forecastDefaultDisk is the topology's default backups.throughputMBps
	// (one notion of throughput with the steps' budgets).
	forecastDefaultDisk = topology.DefaultThroughputMBps * 1e6
	// forecastMinTimed is how many seconds of backups msdb's whole-second
	// dates must add up to before the forecast stops warning that their
	// throughput is imprecise (each backup's time is off by up to a
	// second: 10 s keep the error near 10 %).
	forecastMinTimed = 10 * time.Second
)

// ComputeForecast is the forecast for in against the topology's objectives.
func ComputeForecast(in ForecastInputs, obj topology.Objectives) Forecast {
	f := Forecast{Inputs: in}
	ov := in.Overheads
	if ov == nil {
		ov = DefaultOverheads()
	}
	disk := in.BackupBps
	switch {
	case disk > 0 && !in.BackupFineDates && in.BackupTimedSeconds > 0 && in.BackupTimedSeconds < forecastMinTimed.Seconds():
		// Whole-second dates are off by up to a second per backup: said,
		// not hidden. (The production servers' own figure still wins over
		// a rehearsal's: a calibrated restore rate comes from other disks,
		// and in the simulator a restore costs more CPU than a backup.)
		f.Assumptions = append(f.Assumptions, fmt.Sprintf("disk throughput %.0f MB/s from %s, which are too short to time well by msdb's whole-second dates (%.0f s in all: each backup's time is off by up to a second)",
			disk/1e6, in.BackupSource, in.BackupTimedSeconds))
	case disk > 0:
		f.Assumptions = append(f.Assumptions, fmt.Sprintf("disk throughput %.0f MB/s from %s", disk/1e6, in.BackupSource))
	case ov.RestoreBps > 0:
		disk = ov.RestoreBps
		f.Assumptions = append(f.Assumptions, fmt.Sprintf("no full backup in msdb's history to measure the disks by: they are taken to back up at the calibrated restore rate, %.0f MB/s", disk/1e6))
	default:
		disk = forecastDefaultDisk
		f.Assumptions = append(f.Assumptions, fmt.Sprintf("no full backup in msdb's history to measure the disks by: %.0f MB/s assumed", disk/1e6))
	}
	rbps, rbasis := in.restoreBps(disk)
	f.Assumptions = append(f.Assumptions,
		rbasis,
		fmt.Sprintf("the share stands in data center %q: %s", in.ShareDataCenter, crossings(in)),
		fmt.Sprintf("time that does not grow with mgc (cmdlets, jobs, waits) %s; chat servers reconnect within %s", ov.Source, ov.Reconnect.Round(100*time.Millisecond)),
		"the tail-log backup that fences the backup mgc is small beside the full backup; step 5 moves no copy of mgc")
	b := float64(in.MgcBytes)
	local := time.Duration(b / disk * float64(time.Second))
	restore := time.Duration(b / rbps * float64(time.Second))
	link := time.Duration(0)
	if in.LinkMbps > 0 {
		link = time.Duration(b*8/(in.LinkMbps*1e6)*float64(time.Second)) + in.RTT
		f.Assumptions = append(f.Assumptions, fmt.Sprintf("link %g Mbit/s, %s round trip: %s per copy of mgc across it (the topology's figure; a busy link is slower)", in.LinkMbps, in.RTT, link.Round(time.Millisecond)))
	}
	onBackup, onPrimary := local, restore
	if in.BackupCrosses {
		onBackup = max(local, link)
	}
	if in.PrimaryCrosses {
		onPrimary = max(restore, link)
	}
	add := func(step string, d time.Duration, basis string) {
		f.Steps = append(f.Steps, StepForecast{Step: step, Seconds: d.Seconds(), Took: d, Basis: basis})
	}
	mb := fmt.Sprintf("%.0f MB", b/1e6)
	o := ov.Steps
	add(StepClearActive, o[StepClearActive], "one cmdlet, then chat sessions leave")
	add(StepRemoveMirror, o[StepRemoveMirror], "ALTER DATABASE ... SET PARTNER OFF on mgc and mgccomp")
	// RESTORE VERIFYONLY runs on the primary (the instance that restores
	// the set): it reads the backup at the primary's side of the share.
	verify := local
	if ov.VerifyBps > 0 {
		verify = time.Duration(b / ov.VerifyBps * float64(time.Second))
		f.Assumptions = append(f.Assumptions, fmt.Sprintf("RESTORE VERIFYONLY reads at %.0f MB/s, as it did in %s", ov.VerifyBps/1e6, ov.Source))
	}
	if in.PrimaryCrosses {
		verify = max(verify, link)
	}
	add(StepBackup, onBackup+verify+o[StepBackup], fmt.Sprintf("BACKUP of %s to the share%s, RESTORE VERIFYONLY on the primary%s, then the tail-log backup", mb, across(in.BackupCrosses), across(in.PrimaryCrosses)))
	add(StepRestore, onPrimary+o[StepRestore], fmt.Sprintf("RESTORE of %s from the share%s, then the tail", mb, across(in.PrimaryCrosses)))
	add(StepLogShipping, o[StepLogShipping], "log-shipping configuration and its jobs; no copy of mgc")
	add(StepSetActive, o[StepSetActive], "one cmdlet")
	add(StepPoolNormal, o[StepPoolNormal], "one cmdlet")
	var outage time.Duration
	for _, s := range f.Steps {
		outage += s.Took
	}
	// Steps 8 and 9 put the pre-disaster configuration back after chat is
	// up again: they are in the RTO (the run), not in the outage. Step 8
	// copies mgc once more (Install-CsMirrorDatabase backs the primary mgc
	// up to the share and restores it on the primary-mirror), so it grows
	// with mgc like steps 3 and 4 do; leaving it out made the forecast RTO
	// the outage's steps alone, 74% short of a measured 256 MiB run.
	if in.HasPrimaryMirror {
		onMirror := restore
		if in.MirrorCrosses {
			onMirror = max(restore, link)
		}
		onPrimaryBackup := local
		if in.PrimaryCrosses {
			onPrimaryBackup = max(local, link)
		}
		own := o[StepMirrorPrimary]
		if ov.Bytes > 0 {
			// The calibration's own local backup is still in its step 8
			// (CalibrateOverheads): out at this forecast's rates.
			cb := float64(ov.Bytes)
			calBackup := time.Duration(cb / disk * float64(time.Second))
			if in.PrimaryCrosses && in.LinkMbps > 0 {
				calBackup = max(calBackup, time.Duration(cb*8/(in.LinkMbps*1e6)*float64(time.Second))+in.RTT)
			}
			own = max(own-calBackup, 0)
		}
		add(StepMirrorPrimary, onPrimaryBackup+onMirror+own, fmt.Sprintf("Install-CsMirrorDatabase: BACKUP of %s to the share%s and RESTORE on the primary-mirror%s, then the session synchronises",
			mb, across(in.PrimaryCrosses), across(in.MirrorCrosses)))
		add(StepLogShippingFromMirror, o[StepLogShippingFromMirror], "log shipping from the primary-mirror configured (no copy of mgc)")
	}
	for _, s := range f.Steps {
		f.RTO += s.Took
	}
	f.Outage = outage + ov.Reconnect
	f.RTOSeconds, f.OutSeconds = f.RTO.Seconds(), f.Outage.Seconds()
	f.Objectives = ObjectivesJSON{RTOSeconds: obj.RTO.Seconds(), OutageSeconds: obj.Outage.Seconds()}
	f.RTOMet = obj.RTO <= 0 || f.RTO <= obj.RTO
	f.OutageMet = obj.Outage <= 0 || f.Outage <= obj.Outage
	if in.FreeOnPrimary >= 0 && in.FreeOnPrimary < in.DataBytes+in.LogBytes {
		f.Warnings = append(f.Warnings, fmt.Sprintf("the primary has %d bytes free where mgc's data goes, mgc needs %d", in.FreeOnPrimary, in.DataBytes+in.LogBytes))
	}
	return f
}

func across(yes bool) string {
	if yes {
		return ", across the link"
	}
	return ""
}

func crossings(in ForecastInputs) string {
	switch {
	case in.BackupCrosses && in.PrimaryCrosses:
		return "both the backup (step 3, twice) and the primary (step 4) reach it across the link"
	case in.BackupCrosses:
		return "the backup writes and verifies mgc's backup across the link (step 3, twice); the primary restores it locally"
	case in.PrimaryCrosses:
		return "the backup writes and verifies mgc's backup locally; the primary restores it across the link (step 4, once)"
	}
	return "no copy of mgc crosses the link"
}

// String is the forecast as an operator reads it.
func (f Forecast) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Failback forecast for mgc of %.1f MB (%s)\n", float64(f.Inputs.MgcBytes)/1e6, f.Inputs.MgcSource)
	for i, s := range f.Steps {
		fmt.Fprintf(&b, "  %d. %-24s %10s  %s\n", i+1, s.Step, s.Took.Round(100*time.Millisecond), s.Basis)
	}
	verdict := func(met bool) string {
		if met {
			return "met"
		}
		return "not met"
	}
	fmt.Fprintf(&b, "RTO     %s  forecast %s, objective %s\n", verdict(f.RTOMet), f.RTO.Round(time.Second), time.Duration(f.Objectives.RTOSeconds*float64(time.Second)))
	fmt.Fprintf(&b, "Outage  %s  forecast %s, objective %s\n", verdict(f.OutageMet), f.Outage.Round(time.Second), time.Duration(f.Objectives.OutageSeconds*float64(time.Second)))
	b.WriteString("Assumptions:\n")
	for _, a := range f.Assumptions {
		fmt.Fprintf(&b, "  - %s\n", a)
	}
	for _, w := range f.Warnings {
		fmt.Fprintf(&b, "Warning: %s\n", w)
	}
	return b.String()
}

// ForecastSQL is what a forecast reads from an instance beyond SQL: msdb's
// backup and restore history. LiveSQL implements it.
type ForecastSQL interface {
	// BackupHistory is the newest full backups msdb records (any database).
	BackupHistory(ctx context.Context, limit int) ([]BackupRecord, error)
	// RestoreCount is how many restores msdb records.
	RestoreCount(ctx context.Context) (int, error)
}

// BackupRecord is one row of msdb.dbo.backupset.
type BackupRecord struct {
	Database         string
	Size, Compressed int64
	Start, Finish    time.Time
}

// ReadForecastInputs reads a forecast's inputs from the environment,
// changing nothing.
func ReadForecastInputs(ctx context.Context, e *Env) (ForecastInputs, error) {
	in := ForecastInputs{FreeOnPrimary: -1}
	pri, _ := e.Topo.InstanceByRole(topology.RolePrimary)
	bak, _ := e.Topo.InstanceByRole(topology.RoleBackup)
	if l, ok := e.Topo.LinkBetween(pri.DataCenter, bak.DataCenter); ok && pri.DataCenter != bak.DataCenter {
		in.LinkMbps, in.RTT = l.BandwidthMbps, time.Duration(l.RTTMs*float64(time.Millisecond))
	}
	in.ShareDataCenter = e.Topo.ShareDataCenter()
	in.BackupCrosses = in.LinkMbps > 0 && in.ShareDataCenter != bak.DataCenter
	in.PrimaryCrosses = in.LinkMbps > 0 && in.ShareDataCenter != pri.DataCenter
	if mir, ok := e.Topo.InstanceByRole(topology.RolePrimaryMirror); ok {
		in.HasPrimaryMirror = true
		in.MirrorCrosses = in.LinkMbps > 0 && in.ShareDataCenter != mir.DataCenter
	}
	files, err := e.Backup.DatabaseFiles(ctx, DBContent)
	if err != nil {
		return in, err
	}
	size, err := e.Backup.DatabaseSize(ctx, DBContent)
	if err != nil {
		return in, err
	}
	in.DataBytes = size
	var sized, timed int64
	var took float64
	var sources []string
	for _, s := range []SQL{e.Backup, e.Primary} {
		h, ok := s.(ForecastSQL)
		if !ok {
			continue
		}
		recs, err := h.BackupHistory(ctx, 20)
		if err != nil {
			return in, err
		}
		for _, r := range recs {
			if in.MgcBytes == 0 && s == e.Backup && strings.EqualFold(r.Database, DBContent) {
				in.MgcBytes, in.MgcSource = r.Size, fmt.Sprintf("its last full backup on %s, %s", s.Instance(), r.Finish.Format(time.RFC3339))
			}
			sized++
		}
		b, secs := backupTiming(recs)
		timed += b
		took += secs
		in.BackupFineDates = in.BackupFineDates || fineDates(recs)
		n, err := h.RestoreCount(ctx)
		if err != nil {
			return in, err
		}
		in.Restores += n
		sources = append(sources, s.Instance())
	}
	switch {
	case took > 0:
		in.BackupBps, in.BackupTimedSeconds = float64(timed)/took, took
		in.BackupSource = fmt.Sprintf("%d recent full backups in msdb.dbo.backupset on %s", sized, strings.Join(sources, ", "))
	case e.Topo.Backups.ThroughputMBps > 0:
		// The figure the steps' budgets use (topology backups section).
		in.BackupBps = e.Topo.Backups.ThroughputMBps * 1e6
		in.BackupSource = "the topology's backups.throughputMBps (no full backup of at least a second in msdb)"
	}
	if in.MgcBytes == 0 {
		in.MgcBytes, in.MgcSource = size, "its allocated size (no full backup of it in msdb)"
	}
	if free, known, err := e.Primary.FreeBytes(ctx, defaultDataDir(files)); err == nil && known {
		in.FreeOnPrimary = free
	}
	return in, nil
}

// backupTiming is the bytes and seconds of the backups in recs that
// msdb's dates can time. backupset's dates have whole seconds, so a backup
// shows 0 or 1 s when it took a fraction of one, by whether it crossed a
// second's boundary; over many backups the shown seconds add up to the
// real ones, but only when the 0 s ones count too (leaving them out kept
// only the backups that crossed a boundary, each as a whole second: a
// bias towards slow disks, 3-4x at 100 MiB). A finish before the start
// (a clock set back) times nothing.
func backupTiming(recs []BackupRecord) (bytes int64, secs float64) {
	for _, r := range recs {
		if d := r.Finish.Sub(r.Start).Seconds(); d >= 0 {
			bytes += r.Size
			secs += d
		}
	}
	return bytes, secs
}

// fineDates says some of recs' dates have a fraction of a second: the
// server keeps backupset's dates finer than whole seconds.
func fineDates(recs []BackupRecord) bool {
	for _, r := range recs {
		if r.Start.Nanosecond() != 0 || r.Finish.Nanosecond() != 0 {
			return true
		}
	}
	return false
}

func defaultDataDir(files []DatabaseFile) string {
	for _, f := range files {
		if f.Type == "ROWS" {
			return dirOf(f.PhysicalName)
		}
	}
	return ""
}

// BackupHistory reads msdb.dbo.backupset's newest full backups.
func (l *LiveSQL) BackupHistory(ctx context.Context, limit int) ([]BackupRecord, error) {
	var out []BackupRecord
	q := fmt.Sprintf("SELECT TOP (%d) database_name, CAST(backup_size AS bigint), CAST(ISNULL(compressed_backup_size, backup_size) AS bigint), backup_start_date, backup_finish_date FROM msdb.dbo.backupset WHERE type = 'D' AND backup_finish_date IS NOT NULL ORDER BY backup_finish_date DESC", limit)
	err := l.db(ctx, false).Query(ctx, q, func(r *sql.Rows) error {
		var b BackupRecord
		if err := r.Scan(&b.Database, &b.Size, &b.Compressed, &b.Start, &b.Finish); err != nil {
			return err
		}
		out = append(out, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup history: %w", err)
	}
	return out, nil
}

// RestoreCount counts msdb.dbo.restorehistory.
func (l *LiveSQL) RestoreCount(ctx context.Context) (int, error) {
	var n int
	err := l.db(ctx, false).Query(ctx, "SELECT COUNT(*) FROM msdb.dbo.restorehistory", func(r *sql.Rows) error { return r.Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("restore history: %w", err)
	}
	return n, nil
}
