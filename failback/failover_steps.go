package failback

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/sqlserver"
)

// PlanFailover is the name of the failover plan.
const PlanFailover = "failover"

// Step names of the failover plan (journal and
// failback_step_duration_seconds labels; none is shared with the failback
// plan, so the metric needs no plan label).
const (
	StepCopyLogs          = "copy-outstanding-logs"
	StepRemoveLogShipping = "remove-log-shipping"
	StepRestoreLogs       = "restore-outstanding-logs"
	StepRecover           = "recover-backup-mgc"
	StepPoolFailedOver    = "set-pool-failed-over"
	StepInstallMirror     = "install-mirroring"
	StepFailoverActive    = "set-failover-active-servers"
)

const factCopyJobBefore = "copy_job_history_before"

// FailoverPlan is the documented failover (reference §3) with its
// preconditions, so the harness can rehearse both directions.
//
// Order. The reference lists: 1 remove log shipping from the backup mgc,
// 2 copy uncopied backup files from the share to the copy folder, 3 apply
// unapplied log backups, 4 recover. This plan copies first and removes
// log shipping second, because sp_delete_log_shipping_secondary_database
// also runs sp_delete_log_shipping_secondary_primary when mgc is the last
// secondary database of its primary, and that deletes the LSCopy and
// LSRestore jobs: after the reference's step 1 the only tool that copies
// from the share as the Agent's account is gone, and the reference's step
// 2 becomes a manual file copy. Running the copy job once before removing
// log shipping is the same copy by the same account into the same folder.
// It is safe: the copy job only adds files to the copy folder and never
// touches the database, and the primary is down, so no new log backup
// appears behind it. Log shipping is then removed before anything is
// restored by hand, which is what the reference's order is for: no
// scheduled LSRestore run can race the engine's RESTORE LOG statements or
// fail against the database once it is recovered. Logs are applied by the
// engine (step 3), not by the restore job, so their order and any gap are
// checked and shown.
//
// The reference's steps 6 (Install-CsMirrorDatabase) and 7 (set the active
// servers) run in the other order here: chat comes back first, then the
// new principal gets its mirror. Mirroring is high availability for the
// recovered database, not a condition of serving chat from it, and
// Install-CsMirrorDatabase is the longest step of a failover (a full and a
// log backup of mgc and mgccomp through the share and their restores on
// the mirror) and the one most likely to fail after the pool has switched
// (a mirror instance that is down, a copy a failback left on it). In the
// reference's order chat stays down for all of it, and for as long as an
// operator needs to repair it. The active servers do not depend on
// mirroring (Set-CsPersistentChatActiveServer only names the servers that
// accept connections; the pool state already points them at the backup
// databases), and SQL Server sets up mirroring of a database in use.
func FailoverPlan() *Plan {
	return &Plan{
		Name:          PlanFailover,
		Preconditions: FailoverPreconditions(),
		Steps: []Step{
			{Name: StepCopyLogs, Title: "run the log-shipping copy job once so every log backup on the share is in the copy folder",
				Check: checkCopied, Apply: applyCopy, Verify: verifyCopied},
			{Name: StepRemoveLogShipping, Title: "remove log shipping from the backup mgc (sp_delete_log_shipping_secondary_database mgc)",
				Check: checkLSRemoved, Apply: applyRemoveLS, Verify: verifyLSRemoved},
			{Name: StepRestoreLogs, Title: "apply the unapplied log backups in LSN order WITH NORECOVERY",
				Timeout: defaultBackupTimeo, Check: checkLogsApplied, Apply: applyLogs, Verify: verifyLogsApplied},
			{Name: StepRecover, Title: "end the sessions in the backup mgc and RESTORE DATABASE mgc WITH RECOVERY", Destructive: true,
				Check: checkRecovered, Apply: applyRecover, Verify: verifyRecovered},
			{Name: StepPoolFailedOver, Title: "set the pool state to FailedOver",
				Check: checkPoolFailedOver, Apply: applyPoolFailedOver, Verify: verifyPoolFailedOver},
			{Name: StepFailoverActive, Title: "set the active servers for the backup data center and wait for chat sessions on the backup mgc (before mirroring: chat does not wait for it)",
				Check: checkFailoverActive, Apply: applyFailoverActive, Verify: verifyFailoverActive},
			{Name: StepInstallMirror, Title: "mirror the new primary mgc and mgccomp to the backup-mirror with Install-CsMirrorDatabase (replacing a copy a failback left there)",
				Check: checkMirrorInstalled, Apply: applyInstallMirror, Verify: verifyMirrorInstalled},
		},
	}
}

// PlanByName returns the failback or failover plan.
func PlanByName(name string) (*Plan, error) {
	switch name {
	case PlanFailback:
		return FailbackPlan(), nil
	case PlanFailover:
		return FailoverPlan(), nil
	}
	return nil, fmt.Errorf("unknown plan %q: want %s or %s", name, PlanFailback, PlanFailover)
}

// ---- log backups on disk ----

// isLogBackup matches the log-shipping backup job's file names,
// <database>_<UTC timestamp>.trn.
func isLogBackup(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".trn") && strings.HasPrefix(n, strings.ToLower(DBContent)+"_")
}

// logFiles lists the log backups in dir; reachable is false when the
// instance does not see dir as a directory (xp_dirtree would list nothing
// without saying why).
func logFiles(ctx context.Context, s SQL, dir string) (names []string, reachable bool, err error) {
	fi, err := s.FileExists(ctx, dir)
	if err != nil {
		return nil, false, err
	}
	if !fi.IsDirectory {
		return nil, false, nil
	}
	all, err := s.ListFiles(ctx, dir)
	if err != nil {
		return nil, true, err
	}
	for _, n := range all {
		if isLogBackup(n) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names, true, nil
}

// logSet is one log backup set in a file.
type logSet struct {
	Path, File  string
	Position    int
	First, Last string
}

// readLogSets reads RESTORE HEADERONLY of each file and keeps mgc's log
// sets, ordered by first LSN.
func readLogSets(ctx context.Context, s SQL, dir string, files []string) ([]logSet, error) {
	var out []logSet
	for _, f := range files {
		p := joinUNC(dir, f)
		sets, err := s.BackupSets(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", p, err)
		}
		for _, b := range sets {
			if b.Type != 2 || !strings.EqualFold(b.DatabaseName, DBContent) {
				continue
			}
			if _, err := ParseLSN(b.FirstLSN); err != nil {
				return nil, fmt.Errorf("%s set %d: first %w", p, b.Position, err)
			}
			if _, err := ParseLSN(b.LastLSN); err != nil {
				return nil, fmt.Errorf("%s set %d: last %w", p, b.Position, err)
			}
			out = append(out, logSet{Path: p, File: f, Position: b.Position, First: b.FirstLSN, Last: b.LastLSN})
		}
	}
	return sortSets(out), nil
}

// sortSets orders log sets by first LSN, then last LSN.
func sortSets(out []logSet) []logSet {
	sort.SliceStable(out, func(i, j int) bool {
		c, _ := CompareLSN(out[i].First, out[j].First)
		if c == 0 {
			c, _ = CompareLSN(out[i].Last, out[j].Last)
		}
		return c < 0
	})
	return out
}

// redo is the backup mgc's redo point, "" when msdb has no restore of it.
func (e *Env) redo(ctx context.Context) (string, RedoPoint, error) {
	rp, ok, err := e.Backup.RedoPoint(ctx, DBContent)
	if err != nil || !ok {
		return "", rp, err
	}
	if _, err := ParseLSN(rp.LastLSN); err != nil {
		return "", rp, fmt.Errorf("redo point of mgc: %w", err)
	}
	return rp.LastLSN, rp, nil
}

// pending keeps the sets that end after the redo point (all when the redo
// point is unknown: SQL Server's 4326 then says which were applied).
func pending(sets []logSet, redo string) []logSet {
	if redo == "" {
		return sets
	}
	var out []logSet
	for _, s := range sets {
		if c, _ := CompareLSN(s.Last, redo); c > 0 {
			out = append(out, s)
		}
	}
	return out
}

func fileNames(sets []logSet) string {
	n := make([]string, 0, len(sets))
	for _, s := range sets {
		n = append(n, s.File)
	}
	return strings.Join(n, ", ")
}

// ---- step 1 (reference step 2): copy outstanding log backups ----

// uncopied lists the log backups on the share that the copy folder lacks
// and the database still needs; shareOK is false when the backup instance
// cannot see the share (it may have been in the lost data center).
func (e *Env) uncopied(ctx context.Context) (missing []string, shareOK bool, err error) {
	share := e.Topo.Share.UNC
	copyDir := e.Topo.LogShipping.CopyDirectory
	onShare, ok, err := logFiles(ctx, e.Backup, share)
	if err != nil || !ok {
		return nil, ok, err
	}
	copied, cok, err := logFiles(ctx, e.Backup, copyDir)
	if err != nil {
		return nil, true, err
	}
	if !cok {
		return nil, true, fmt.Errorf("the copy folder %s does not exist on %s", copyDir, e.Backup.Instance())
	}
	redo, _, err := e.redo(ctx)
	if err != nil {
		return nil, true, err
	}
	for _, f := range onShare {
		if slicesContainFold(copied, f) {
			continue
		}
		sets, err := readLogSets(ctx, e.Backup, share, []string{f})
		if err != nil {
			// Unreadable but on the share: the operator must look at it.
			missing = append(missing, f+" (unreadable: "+err.Error()+")")
			continue
		}
		if len(pending(sets, redo)) > 0 || len(sets) == 0 {
			missing = append(missing, f)
		}
	}
	return missing, true, nil
}

func checkCopied(ctx context.Context, e *Env) (bool, string, error) {
	job := e.Topo.LogShipping.CopyJob
	st, err := e.Backup.JobStatus(ctx, job)
	if err != nil {
		return false, "", err
	}
	if !st.Exists {
		return true, "the copy job " + job + " no longer exists (it goes with log shipping); the copy folder holds what step " + StepRestoreLogs + " can apply", nil
	}
	missing, shareOK, err := e.uncopied(ctx)
	if err != nil {
		return false, "", err
	}
	if !shareOK {
		return true, "the share " + e.Topo.Share.UNC + " is not reachable from " + e.Backup.Instance() +
			": log backups not yet copied are lost unless someone copies them into " + e.Topo.LogShipping.CopyDirectory + " by hand", nil
	}
	if len(missing) == 0 {
		return true, "every log backup on the share that mgc still needs is in the copy folder", nil
	}
	return false, fmt.Sprintf("%d log backups on the share are not in the copy folder: %s", len(missing), strings.Join(missing, ", ")), nil
}

func applyCopy(ctx context.Context, e *Env) error {
	job := e.Topo.LogShipping.CopyJob
	st, err := e.Backup.JobStatus(ctx, job)
	if err != nil {
		return err
	}
	if !st.Exists {
		e.Note("skip: the copy job " + job + " was removed with log shipping")
		return nil
	}
	// Recorded before the start, so a resume after a crash here waits for
	// this run; again after it, in case the start waited out a scheduled run.
	e.SetFact(factCopyJobBefore, strconv.FormatInt(st.LastInstanceID, 10))
	started, err := e.startJob(ctx, e.Backup, job, st)
	if err != nil {
		return err
	}
	if started.LastInstanceID != st.LastInstanceID {
		e.SetFact(factCopyJobBefore, strconv.FormatInt(started.LastInstanceID, 10))
	}
	return nil
}

func verifyCopied(ctx context.Context, e *Env) error {
	job := e.Topo.LogShipping.CopyJob
	if v, ok := e.Fact(factCopyJobBefore); ok {
		before, _ := strconv.ParseInt(v, 10, 64)
		var st JobStatus
		err := e.waitFor(ctx, e.Options.JobTimeout, "the copy job "+job+" to finish", func(ctx context.Context) (bool, string, error) {
			var err error
			st, err = e.Backup.JobStatus(ctx, job)
			if err != nil {
				return false, "", err
			}
			if !st.Exists {
				return true, "", nil
			}
			return st.LastInstanceID > before && st.LastStatus != JobInProgress, "no new outcome in its history", nil
		})
		if err != nil {
			return err
		}
		if st.Exists && st.LastStatus != JobSucceeded {
			return e.jobFailure(ctx, e.Backup, job, before, st)
		}
	}
	missing, shareOK, err := e.uncopied(ctx)
	if err != nil {
		return err
	}
	if !shareOK {
		e.Note("the share " + e.Topo.Share.UNC + " is not reachable from " + e.Backup.Instance() + ": log backups not yet copied cannot be checked or copied")
		return nil
	}
	for _, m := range missing {
		if strings.Contains(m, "(unreadable") {
			return fmt.Errorf("a log backup on the share cannot be read: %s; repair or remove it, then resume", m)
		}
	}
	if len(missing) > 0 {
		e.Note(fmt.Sprintf("not in the copy folder %s: %s; step %s restores them from the share", e.Topo.LogShipping.CopyDirectory,
			strings.Join(missing, ", "), StepRestoreLogs))
	}
	return nil
}

// ---- step 2 (reference step 1): remove log shipping ----

func lsLeft(cfg LogShippingConfig) (secondaryDB bool, registrations []LSSecondary) {
	for _, s := range cfg.Secondaries {
		if strings.EqualFold(s.Database, DBContent) {
			secondaryDB = true
		}
	}
	// A registration of mgc's primary that no other secondary database
	// uses any more ("when nothing else uses it").
	for _, s := range cfg.Secondaries {
		if !strings.EqualFold(s.PrimaryDatabase, DBContent) {
			continue
		}
		used := false
		for _, o := range cfg.Secondaries {
			if strings.EqualFold(o.PrimaryServer, s.PrimaryServer) && strings.EqualFold(o.PrimaryDatabase, s.PrimaryDatabase) &&
				o.Database != "" && !strings.EqualFold(o.Database, DBContent) {
				used = true
			}
		}
		dup := false
		for _, r := range registrations {
			if strings.EqualFold(r.PrimaryServer, s.PrimaryServer) && strings.EqualFold(r.PrimaryDatabase, s.PrimaryDatabase) {
				dup = true
			}
		}
		if !used && !dup {
			registrations = append(registrations, s)
		}
	}
	return secondaryDB, registrations
}

func checkLSRemoved(ctx context.Context, e *Env) (bool, string, error) {
	cfg, err := e.Backup.LogShipping(ctx)
	if err != nil {
		return false, "", err
	}
	db, regs := lsLeft(cfg)
	switch {
	case db:
		return false, "mgc is a log-shipping secondary database on " + e.Backup.Instance(), nil
	case len(regs) > 0:
		return false, "the registration of primary " + regs[0].PrimaryServer + "." + regs[0].PrimaryDatabase + " (and its copy and restore jobs) remains on " + e.Backup.Instance(), nil
	}
	return true, "mgc is not log shipped to " + e.Backup.Instance(), nil
}

func applyRemoveLS(ctx context.Context, e *Env) error {
	cfg, err := e.Backup.LogShipping(ctx)
	if err != nil {
		return err
	}
	if db, _ := lsLeft(cfg); db {
		if err := e.Backup.RemoveLogShippingSecondary(ctx, DBContent); err != nil {
			if !sqlserver.HasNumber(err, 32014) {
				return err
			}
			e.Note("skip: mgc is no longer a log-shipping secondary (32014)")
		}
		// The procedure removes the registration itself when mgc was its
		// last secondary database: read what is left.
		if cfg, err = e.Backup.LogShipping(ctx); err != nil {
			return err
		}
	} else {
		e.Note("skip: mgc has no log-shipping secondary database entry")
	}
	_, regs := lsLeft(cfg)
	for _, r := range regs {
		if err := e.Backup.RemoveLogShippingSecondaryPrimary(ctx, r.PrimaryServer, r.PrimaryDatabase); err != nil {
			return err
		}
	}
	return nil
}

func verifyLSRemoved(ctx context.Context, e *Env) error {
	done, why, err := checkLSRemoved(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("log shipping not removed: %s", why)
	}
	ls := e.Topo.LogShipping
	for _, job := range []string{ls.CopyJob, ls.RestoreJob} {
		st, err := e.Backup.JobStatus(ctx, job)
		if err != nil {
			return err
		}
		if st.Exists {
			e.Note(fmt.Sprintf("warning: job %s still exists on %s (enabled %t); it would fail against the recovered mgc: delete or disable it", job, e.Backup.Instance(), st.Enabled))
		}
	}
	return nil
}

// ---- step 3: restore outstanding log backups ----

type logPlan struct {
	state   DatabaseStatus
	redo    string
	from    RedoPoint
	sets    []logSet
	pending []logSet
}

func (e *Env) logPlan(ctx context.Context) (logPlan, error) {
	var p logPlan
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return p, err
	}
	p.state = st
	if p.redo, p.from, err = e.redo(ctx); err != nil {
		return p, err
	}
	dir := e.Topo.LogShipping.CopyDirectory
	files, ok, err := logFiles(ctx, e.Backup, dir)
	if err != nil {
		return p, err
	}
	if !ok {
		return p, fmt.Errorf("the copy folder %s does not exist on %s", dir, e.Backup.Instance())
	}
	if p.sets, err = readLogSets(ctx, e.Backup, dir, files); err != nil {
		return p, err
	}
	// A log backup the copy job did not bring over (it was removed with
	// log shipping, or failed) is read from the share itself when the
	// share is still reachable: the same file, read by the SQL Server
	// service account, which has read on the share (reference §1).
	share := e.Topo.Share.UNC
	onShare, shareOK, err := logFiles(ctx, e.Backup, share)
	if err != nil {
		return p, err
	}
	if shareOK {
		var extra []string
		for _, f := range onShare {
			if !slicesContainFold(files, f) {
				extra = append(extra, f)
			}
		}
		more, err := readLogSets(ctx, e.Backup, share, extra)
		if err != nil {
			return p, err
		}
		p.sets = sortSets(append(p.sets, more...))
	}
	p.pending = pending(p.sets, p.redo)
	return p, nil
}

func (p logPlan) recovered() bool { return p.state.State == "ONLINE" && !p.state.Standby }

func (p logPlan) redoText() string {
	if p.redo == "" {
		return "unknown (msdb has no restore of mgc)"
	}
	return "LSN " + p.redo + " from " + strconv.Quote(p.from.BackupSetName)
}

func checkLogsApplied(ctx context.Context, e *Env) (bool, string, error) {
	p, err := e.logPlan(ctx)
	if err != nil {
		return false, "", err
	}
	switch {
	case len(p.pending) == 0:
		return true, fmt.Sprintf("all %d log backups in the copy folder are applied; redo point %s", len(p.sets), p.redoText()), nil
	case p.recovered():
		return false, fmt.Sprintf("the backup mgc is already ONLINE but %d log backups in the copy folder end after its redo point %s: %s",
			len(p.pending), p.redoText(), fileNames(p.pending)), nil
	}
	return false, fmt.Sprintf("%d log backups to apply after redo point %s: %s", len(p.pending), p.redoText(), fileNames(p.pending)), nil
}

func applyLogs(ctx context.Context, e *Env) error {
	p, err := e.logPlan(ctx)
	if err != nil {
		return err
	}
	// A STANDBY secondary may have readers; RESTORE LOG needs exclusive
	// access (3101), as the recovery in the next step does.
	if len(p.pending) > 0 {
		if err := e.endSessions(ctx); err != nil {
			return err
		}
	}
	redo := p.redo
	for _, s := range p.pending {
		if redo != "" {
			if c, _ := CompareLSN(s.Last, redo); c <= 0 {
				e.Note(fmt.Sprintf("skip: %s ends at LSN %s, already applied (redo point LSN %s)", s.File, s.Last, redo))
				continue
			}
		}
		err := e.Backup.RestoreLog(ctx, LogRestoreSpec{Database: DBContent, Path: s.Path, File: s.Position})
		switch {
		case err == nil:
			redo = s.Last
		case sqlserver.HasNumber(err, 4326):
			e.Note(fmt.Sprintf("skip: %s is too early for mgc (4326): already applied", s.File))
		case sqlserver.HasNumber(err, 4305):
			at := redo
			if at == "" {
				at = "(unknown)"
			}
			return fmt.Errorf("restore log %s: a log backup is missing between mgc's redo point LSN %s and this file's first LSN %s: "+
				"find it (the share, the primary site), put it in %s and resume; recovering without it loses every change after LSN %s: %w",
				s.File, at, s.First, e.Topo.LogShipping.CopyDirectory, at, err)
		default:
			return fmt.Errorf("restore log %s: %w", s.File, err)
		}
	}
	return nil
}

func verifyLogsApplied(ctx context.Context, e *Env) error {
	p, err := e.logPlan(ctx)
	if err != nil {
		return err
	}
	if len(p.pending) > 0 {
		return fmt.Errorf("%d log backups in the copy folder still end after mgc's redo point %s: %s", len(p.pending), p.redoText(), fileNames(p.pending))
	}
	return nil
}

// ---- step 4: recover the backup mgc ----

func checkRecovered(ctx context.Context, e *Env) (bool, string, error) {
	st, err := e.Backup.DatabaseState(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	if st.State == "ONLINE" && !st.ReadOnly && !st.Standby {
		return true, "the backup mgc on " + e.Backup.Instance() + " is ONLINE and writable", nil
	}
	return false, fmt.Sprintf("the backup mgc is %s (read-only %t, standby %t)", st.State, st.ReadOnly, st.Standby), nil
}

// recoverAttempts bounds the kill-then-recover rounds: a client that
// reconnects between KILL and RESTORE makes the restore fail with 3101.
const recoverAttempts = 3

// applyRecover ends the sessions in mgc and recovers it. The reference uses
// sp_who2 to find them; sys.dm_exec_sessions gives the same spids with
// typed columns and no parsing of sp_who2's text columns.
func applyRecover(ctx context.Context, e *Env) error {
	var err error
	for attempt := 1; attempt <= recoverAttempts; attempt++ {
		if err := e.endSessions(ctx); err != nil {
			return err
		}
		err = e.Backup.RecoverDatabase(ctx, DBContent)
		switch {
		case err == nil:
			return nil
		case sqlserver.HasNumber(err, 3153):
			e.Note("skip: mgc is already fully recovered (3153)")
			return nil
		case sqlserver.HasNumber(err, 3101) && attempt < recoverAttempts:
			e.Note(fmt.Sprintf("attempt %d: a session reconnected to mgc before the recovery (3101); ending sessions again", attempt))
			continue
		}
		return err
	}
	return err
}

// endSessions KILLs every session in the backup mgc (6106, already gone,
// is fine).
func (e *Env) endSessions(ctx context.Context) error {
	ss, err := e.Backup.Sessions(ctx, DBContent)
	if err != nil {
		return err
	}
	for _, s := range ss {
		e.Note(fmt.Sprintf("ending %s", describeSessions(e.Backup.Instance(), DBContent, []Session{s})))
		if kerr := e.Backup.KillSession(ctx, s.ID); kerr != nil && !sqlserver.HasNumber(kerr, 6106) {
			return fmt.Errorf("kill session %d: %w", s.ID, kerr)
		}
	}
	return nil
}

func verifyRecovered(ctx context.Context, e *Env) error {
	done, why, err := checkRecovered(ctx, e)
	if err != nil {
		return err
	}
	if !done {
		return fmt.Errorf("after RESTORE WITH RECOVERY %s", why)
	}
	return nil
}

// ---- step 5: pool FailedOver ----

func checkPoolFailedOver(ctx context.Context, e *Env) (bool, string, error) {
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return false, "", err
	}
	return st == lync.PoolFailedOver, "pool state is " + string(st), nil
}

func applyPoolFailedOver(ctx context.Context, e *Env) error {
	return e.Pool.SetPoolState(ctx, lync.PoolFailedOver)
}

func verifyPoolFailedOver(ctx context.Context, e *Env) error {
	st, err := e.Pool.PoolState(ctx)
	if err != nil {
		return err
	}
	if st != lync.PoolFailedOver {
		return fmt.Errorf("pool state read back as %s after setting FailedOver", st)
	}
	return nil
}

// ---- step 7 (reference step 6): mirroring for the new primary ----

func mirroredTo(m Mirroring, host string) bool {
	h := partnerHost(m.Partner)
	return m.Mirrored && strings.EqualFold(m.Role, "PRINCIPAL") && (strings.EqualFold(h, host) || strings.EqualFold(h, shortHost(host)))
}

func checkMirrorInstalled(ctx context.Context, e *Env) (bool, string, error) {
	ts, ok, err := e.mirrorTargets()
	if !ok {
		return false, "the topology has no backup-mirror instance", nil
	}
	if err != nil {
		return false, "", err
	}
	var done []string
	for _, t := range ts {
		m, err := t.Principal.Mirroring(ctx, t.DB)
		if err != nil {
			return false, "", err
		}
		switch {
		case mirroredTo(m, t.MirrorIn.Host) && m.State == "SYNCHRONIZED":
			done = append(done, fmt.Sprintf("%s is the principal of a SYNCHRONIZED session with %s", t.DB, m.Partner))
		case m.Mirrored:
			return false, fmt.Sprintf("%s on %s is %s %s with %s", t.DB, t.Principal.Instance(), m.Role, m.State, m.Partner), nil
		default:
			return false, fmt.Sprintf("%s on %s is not mirrored", t.DB, t.Principal.Instance()), nil
		}
	}
	return true, strings.Join(done, "; "), nil
}

// applyInstallMirror runs Install-CsMirrorDatabase for mgc and mgccomp.
// A copy an earlier mirroring session left RESTORING on the backup-mirror
// (every failback leaves one) is replaced with
// -DropExistingDatabasesOnMirror; any other database there is refused, as
// the precondition does, because the switch would delete it.
func applyInstallMirror(ctx context.Context, e *Env) error {
	ts, ok, err := e.mirrorTargets()
	if !ok {
		e.Note("skip: the topology has no backup-mirror instance; the new primary mgc runs without a mirror")
		return nil
	}
	if err != nil {
		return err
	}
	for _, t := range ts {
		m, err := t.Principal.Mirroring(ctx, t.DB)
		if err != nil {
			return err
		}
		if m.Mirrored {
			if mirroredTo(m, t.MirrorIn.Host) {
				e.Note("skip: mirroring of " + t.DB + " with " + m.Partner + " is already installed (" + m.State + ")")
				continue
			}
			return fmt.Errorf("%s on %s is already %s with %s, not with the topology's backup-mirror %s: remove that session first", t.DB, t.Principal.Instance(), m.Role, m.Partner, t.MirrorIn.Host)
		}
		exists, problem, err := mirrorCopy(ctx, t)
		if err != nil {
			return fmt.Errorf("read %s on the backup-mirror instance %s: %w", t.DB, t.Mirror.Instance(), err)
		}
		if problem != "" {
			return errors.New(problem)
		}
		in := t.Install
		if exists {
			in.DropExisting = true
			e.Note(fmt.Sprintf("the backup-mirror instance %s holds a copy of %s left RESTORING by an earlier mirroring session: -DropExistingDatabasesOnMirror replaces it", t.Mirror.Instance(), t.DB))
		}
		if err := e.Pool.InstallMirrorDatabase(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

func verifyMirrorInstalled(ctx context.Context, e *Env) error {
	ts, ok, err := e.mirrorTargets()
	if !ok {
		return nil
	}
	if err != nil {
		return err
	}
	for _, t := range ts {
		err := e.waitFor(ctx, e.Options.MirrorTimeout, "the mirroring session of "+t.DB+" with "+t.MirrorIn.Host+" to synchronise", func(ctx context.Context) (bool, string, error) {
			m, err := t.Principal.Mirroring(ctx, t.DB)
			if err != nil {
				return false, "", err
			}
			if !mirroredTo(m, t.MirrorIn.Host) {
				if m.Mirrored {
					return false, fmt.Sprintf("%s is %s with %s", t.DB, m.Role, m.Partner), nil
				}
				return false, t.DB + " is not mirrored", nil
			}
			return m.State == "SYNCHRONIZED", "mirroring state " + m.State, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ---- step 6 (reference step 7): active servers for the backup data center ----

func checkFailoverActive(ctx context.Context, e *Env) (bool, string, error) {
	active, err := e.Pool.ActiveServers(ctx)
	if err != nil {
		return false, "", err
	}
	if !sameSet(active, e.Topo.Pool.FailoverActiveServers) {
		return false, "active servers are [" + strings.Join(active, ", ") + "]", nil
	}
	all, err := e.Backup.Sessions(ctx, DBContent)
	if err != nil {
		return false, "", err
	}
	ss := sessionsFrom(all, e.Topo.Pool.FailoverActiveServers)
	if len(ss) == 0 {
		return false, "active servers are set but no session from one of them is on the backup mgc yet" + others(all), nil
	}
	return true, fmt.Sprintf("active servers are %s and %d sessions from %s are on the backup mgc", strings.Join(active, ", "), len(ss), hostsOf(ss)), nil
}

func applyFailoverActive(ctx context.Context, e *Env) error {
	return e.Pool.SetActiveServers(ctx, e.Topo.Pool.FailoverActiveServers)
}

func verifyFailoverActive(ctx context.Context, e *Env) error {
	active, err := e.Pool.ActiveServers(ctx)
	if err != nil {
		return err
	}
	if !sameSet(active, e.Topo.Pool.FailoverActiveServers) {
		return fmt.Errorf("after setting them, active servers are [%s]; want %s", strings.Join(active, ", "), strings.Join(e.Topo.Pool.FailoverActiveServers, ", "))
	}
	// Only a session from a server in the wanted list shows the pool runs
	// on the backup mgc: servers leaving the list may still hold sessions
	// there (they followed the pool state to the backup databases before
	// the list changed).
	want := e.Topo.Pool.FailoverActiveServers
	start := e.now()
	var from []Session
	if err := e.waitFor(ctx, e.Options.ChatArrivalTimeout, "a session from a failover active server ("+strings.Join(want, ", ")+") on the backup mgc", func(ctx context.Context) (bool, string, error) {
		all, err := e.Backup.Sessions(ctx, DBContent)
		if err != nil {
			return false, "", err
		}
		from = sessionsFrom(all, want)
		return len(from) > 0, "no such session on " + e.Backup.Instance() + " mgc" + others(all), nil
	}); err != nil {
		return err
	}
	e.Note(fmt.Sprintf("first chat session from %s on the backup mgc after %s", hostsOf(from), e.now().Sub(start).Round(time.Second)))
	return nil
}
