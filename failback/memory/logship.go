package memory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sqlerr"
)

// The log model: every database has an LSN (end of log, or redo point
// while restoring) and LogFrom (where its next log backup starts). A full
// backup covers [LSN, LSN+1) and starts a log chain if none exists; a log
// backup covers [LogFrom, LSN+activity) and moves LogFrom to its end. A
// log backup [first, last) applies to a restoring database whose redo
// point is r when first <= r < last; last <= r is too early (4326),
// first > r too recent (4305), as reference §8 and §11 describe.

// logActivity is how far the log advances between two log backups.
const logActivity = 100

func lsnText(n int64) string { return strconv.FormatInt(n, 10) }

// fullBackup makes a full backup set of d (the caller writes it).
func (w *World) fullBackup(in *Instance, d *Database, name string) *mediaSet {
	first := d.LSN
	d.LSN++
	if d.LogFrom == 0 {
		d.LogFrom = first
	}
	return &mediaSet{set: failback.BackupSet{Position: 1, Name: name, DatabaseName: d.Name, Type: 1, Checksums: true, Finished: w.now(),
		FirstLSN: lsnText(first), LastLSN: lsnText(d.LSN)}, db: d.clone(), source: in.Name, first: first, last: d.LSN}
}

// logBackup makes a log backup set of d, or the SQL Server error.
func (w *World) logBackup(in *Instance, d *Database, name string) (*mediaSet, error) {
	if d.State != "ONLINE" {
		return nil, sqlErr(in.ServerName, e(sqlerr.LSBackupNotOnline, d.Name))
	}
	if d.LogFrom == 0 {
		return nil, sqlErr(in.ServerName, e(sqlerr.NoCurrentDatabaseBackup), backupAbort("BACKUP LOG"))
	}
	first := d.LogFrom
	if !w.quiet[in.Name+"/"+lower(d.Name)] {
		d.LSN += logActivity
	}
	d.LogFrom = d.LSN
	return &mediaSet{set: failback.BackupSet{Position: 1, Name: d.Name + " log", DatabaseName: d.Name, Type: 2, Checksums: true, Finished: w.now(),
		FirstLSN: lsnText(first), LastLSN: lsnText(d.LSN)}, db: d.clone(), source: in.Name, first: first, last: d.LSN}, nil
}

// applyLog applies a log set to a database with SQL Server's refusals.
// It does not check sessions or mirroring (the callers do).
func applyLog(in *Instance, d *Database, x *mediaSet, standby bool) error {
	abort := e(sqlerr.BackupRestoreAborted, "RESTORE LOG")
	if x.set.Type != 2 {
		return sqlErr(in.ServerName, abort)
	}
	if d.State == "ONLINE" && !d.Standby {
		return sqlErr(in.ServerName, e(sqlerr.NoFilesToRollForward), abort)
	}
	if d.State != "RESTORING" && !d.Standby {
		return sqlErr(in.ServerName, e(sqlerr.DatabaseRestoring, d.Name), abort)
	}
	if x.db.Family != d.Family {
		return sqlErr(in.ServerName, e(sqlerr.RecoveryPathInconsistent), abort)
	}
	if x.last <= d.LSN {
		return sqlErr(in.ServerName, e(sqlerr.LogTooEarly, x.last, d.LSN), abort)
	}
	if x.first > d.LSN {
		return sqlErr(in.ServerName, e(sqlerr.LogTooRecent, x.first, d.LSN), abort)
	}
	d.LSN = x.last
	d.Tables = x.db.clone().Tables
	if standby {
		d.State, d.Standby, d.ReadOnly = "ONLINE", true, true
	} else {
		d.State, d.Standby, d.ReadOnly = "RESTORING", false, false
	}
	return nil
}

func (w *World) recordLogRestore(in *Instance, db, path string, x *mediaSet) {
	in.history = append(in.history, restoreRec{RestoreRecord: failback.RestoreRecord{Date: w.now(), Database: db, BackupSetName: x.set.Name, Device: path},
		typ: "L", lastLSN: x.last})
}

// logSetsIn lists the log sets of db in dir, ordered by first LSN.
func (w *World) logSetsIn(dir, db string) []struct {
	path string
	set  *mediaSet
} {
	var out []struct {
		path string
		set  *mediaSet
	}
	for _, name := range w.filesIn(dir) {
		p := strings.TrimRight(dir, `\/`) + `\` + name
		for _, x := range w.files[lower(p)] {
			if x.set.Type == 2 && strings.EqualFold(x.set.DatabaseName, db) {
				out = append(out, struct {
					path string
					set  *mediaSet
				}{p, x})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].set.first < out[j].set.first })
	return out
}

// jobStepNames are the single step of each log-shipping job, as
// sp_add_log_shipping_* name them.
var jobStepNames = map[string]string{
	"backup":  "Log shipping backup job step.",
	"copy":    "Log shipping copy job step.",
	"restore": "Log shipping restore job step.",
}

// jobRan writes a run's history as the Agent does: the step row with the
// step's output (the error, for a failed sqllogship step), then the
// job-outcome row that only points at the last step.
func (w *World) jobRan(in *Instance, j *job, err error) {
	now := w.now()
	date, _ := strconv.Atoi(now.Format("20060102"))
	tm, _ := strconv.Atoi(now.Format("150405"))
	name := jobStepNames[j.kind]
	agent := ""
	for _, s := range in.Services {
		if strings.Contains(strings.ToLower(s.Name), "agent") {
			agent = s.Account
		}
	}
	step := jobRun{step: 1, stepName: name, status: failback.JobSucceeded, date: date, time: tm,
		msg: "Executed as user: " + agent + ". The step succeeded."}
	outcome := jobRun{step: 0, stepName: "(Job outcome)", status: failback.JobSucceeded, date: date, time: tm,
		msg: "The job succeeded.  The Job was invoked by User sa.  The last step to run was step 1 (" + name + ")."}
	if err != nil {
		step.status = failback.JobFailed
		step.msg = "Executed as user: " + agent + ". " + err.Error() + "  Process Exit Code 1.  The step failed."
		outcome.status = failback.JobFailed
		outcome.msg = "The job failed.  The Job was invoked by User sa.  The last step to run was step 1 (" + name + ")."
	}
	w.jobSeq++
	step.id = w.jobSeq
	w.jobSeq++
	outcome.id = w.jobSeq
	j.runs = append(j.runs, step, outcome)
}

// runBackupJob is sqllogship -backup: a log backup of the primary database
// to the share, named <db>_<UTC timestamp>.trn.
func (w *World) runBackupJob(in *Instance, j *job) error {
	now := w.now().UTC()
	for _, p := range in.primaries {
		if !strings.EqualFold(p.db, j.db) {
			continue
		}
		d := in.Databases[p.db]
		if d == nil {
			return sqlErr(in.ServerName, e(sqlerr.LSBackupNotOnline, p.db))
		}
		share := w.Topo.Share.UNC
		if !in.Dirs[lower(share)] {
			return sqlErr(in.ServerName, e(sqlerr.BackupDeviceOpen, share, "53(The network path was not found.)"), backupAbort("BACKUP LOG"))
		}
		x, err := w.logBackup(in, d, "")
		if err != nil {
			return err
		}
		in.logSeq++
		path := fmt.Sprintf(`%s\%s_%s%03d.trn`, strings.TrimRight(share, `\`), j.db, now.Format("20060102150405"), in.logSeq%1000)
		sets := []*mediaSet{x}
		if w.sameSec[in.Name] > 0 {
			if old := w.logSetsIn(share, j.db); len(old) > 0 {
				w.sameSec[in.Name]--
				newest := old[0].path
				for _, o := range old {
					if lower(o.path) > lower(newest) {
						newest = o.path
					}
				}
				path = w.paths[lower(newest)]
				prev := w.files[lower(newest)]
				x.set.Position = len(prev) + 1
				sets = append(append([]*mediaSet(nil), prev...), x)
			}
		}
		w.putFile(path, sets)
		in.backups = append(in.backups, x.set)
		p.monitor = failback.LSPrimaryMonitor{LastBackupFile: path, LastBackupDate: now}
	}
	return nil
}

// runCopyJob is sqllogship -copy: every log backup of the database on the
// share that the copy folder lacks is copied there.
func (w *World) runCopyJob(in *Instance, j *job) error {
	now := w.now().UTC()
	share := w.Topo.Share.UNC
	for _, x := range in.secondaries {
		if x.copyJob == "" || !strings.EqualFold(x.primaryDB, j.db) {
			continue
		}
		if !in.Dirs[lower(share)] {
			return fmt.Errorf("*** Error: Could not find a part of the path '%s'. (sqllogship copy)", share)
		}
		have := map[string]bool{}
		for _, n := range w.filesIn(x.copyDir) {
			have[lower(n)] = true
		}
		for _, s := range w.logSetsIn(share, x.primaryDB) {
			name := s.path[strings.LastIndex(s.path, `\`)+1:]
			if have[lower(name)] {
				continue
			}
			have[lower(name)] = true
			dst := strings.TrimRight(x.copyDir, `\`) + `\` + name
			w.putFile(dst, w.files[lower(s.path)])
			x.monitor.LastCopiedFile, x.monitor.LastCopiedDate = dst, now
		}
	}
	return nil
}

// runRestoreJob is sqllogship -restore: the copied log backups are applied
// in LSN order; those already applied are skipped, a gap stops the job.
func (w *World) runRestoreJob(in *Instance, j *job) error {
	now := w.now().UTC()
	for _, x := range in.secondaries {
		if x.db == "" || !strings.EqualFold(x.primaryDB, j.db) {
			continue
		}
		d := in.Databases[x.db]
		if d == nil {
			return sqlErr(in.ServerName, e(sqlerr.DatabaseNotFound, x.db))
		}
		for _, s := range w.logSetsIn(x.copyDir, x.primaryDB) {
			// sqllogship reads a file's first backup set only (RESTORE
			// HEADERONLY's first row): a set appended to it is never
			// restored.
			if s.set.set.Position > 1 || s.set.last <= d.LSN {
				continue
			}
			if err := applyLog(in, d, s.set, x.standby); err != nil {
				return err
			}
			w.recordLogRestore(in, x.db, s.path, s.set)
			x.monitor.LastRestoredFile, x.monitor.LastRestoredDate = s.path, now
		}
	}
	return nil
}

// StartJob starts a job and, unlike a real Agent, runs it to completion at
// once; its outcome goes to the job history (sp_start_job itself succeeds
// when the job failed, as on SQL Server).
func (s *SQL) StartJob(ctx context.Context, name string) error {
	q := failback.StartJobSQL(name)
	in, err := s.begin(ctx, "StartJob", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "StartJob", name) // permissions.go
	}
	if err != nil {
		return err
	}
	for _, svc := range in.Services {
		if strings.Contains(strings.ToLower(svc.Name), "agent") && svc.Status != "Running" {
			return sqlErr(in.ServerName, e(sqlerr.AgentNotRunning))
		}
	}
	j := in.jobs[name]
	if j == nil {
		return sqlErr(in.ServerName, e(sqlerr.AgentObjectNotFound, "@job_name", name))
	}
	s.change("StartJob", j.db, q)
	if msg := s.w.takeJobFail(s.name, name); msg != "" {
		s.w.jobRan(in, j, errors.New(msg))
		return nil
	}
	if s.w.takeJobIdle(s.name, name) {
		s.w.jobRan(in, j, nil)
		return nil
	}
	var jerr error
	switch j.kind {
	case "backup":
		jerr = s.w.runBackupJob(in, j)
	case "copy":
		jerr = s.w.runCopyJob(in, j)
	case "restore":
		jerr = s.w.runRestoreJob(in, j)
	}
	s.w.jobRan(in, j, jerr)
	return nil
}

// SetJobEnabled is sp_update_job @enabled: the model's jobs run only when
// started (there is no schedule), so the flag is only recorded and read
// back.
func (s *SQL) SetJobEnabled(ctx context.Context, name string, enabled bool) error {
	q := failback.SetJobEnabledSQL(name, enabled)
	in, err := s.begin(ctx, "SetJobEnabled", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "SetJobEnabled", name) // permissions.go
	}
	if err != nil {
		return err
	}
	j := in.jobs[name]
	if j == nil {
		return sqlErr(in.ServerName, e(sqlerr.AgentObjectNotFound, "@job_name", name))
	}
	s.change("SetJobEnabled", j.db, q)
	j.enabled = enabled
	return nil
}

// JobRunning is sp_help_job's current_execution_status: the model runs a
// started job to completion at once, so none is running but those BusyJob
// says are.
func (s *SQL) JobRunning(ctx context.Context, name string) (bool, error) {
	in, err := s.begin(ctx, "JobRunning", failback.JobActivitySQL(name), false)
	defer s.end()
	if err != nil {
		return false, err
	}
	if in.jobs[name] == nil {
		return false, sqlErr(in.ServerName, e(sqlerr.AgentObjectNotFound, "@job_name", name))
	}
	if k := s.name + "/" + name; s.w.jobBusy[k] > 0 {
		s.w.jobBusy[k]--
		return true, nil
	}
	return false, nil
}

// ListFiles is xp_dirtree dir, 1, 1 (nothing for a directory the instance
// cannot see, as xp_dirtree answers).
func (s *SQL) ListFiles(ctx context.Context, dir string) ([]string, error) {
	in, err := s.begin(ctx, "ListFiles", failback.ListFilesSQL(dir), false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	if !in.Dirs[lower(strings.TrimRight(dir, `\/`))] {
		return nil, nil
	}
	return s.w.filesIn(dir), nil
}

// LastBackup reads the newest backup of db this instance took.
func (s *SQL) LastBackup(ctx context.Context, name string) (failback.BackupSet, bool, error) {
	in, err := s.begin(ctx, "LastBackup", failback.LastBackupSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.BackupSet{}, false, err
	}
	for i := len(in.backups) - 1; i >= 0; i-- {
		if strings.EqualFold(in.backups[i].DatabaseName, name) {
			return in.backups[i], true, nil
		}
	}
	return failback.BackupSet{}, false, nil
}

// RedoPoint reads the newest restore into db.
func (s *SQL) RedoPoint(ctx context.Context, name string) (failback.RedoPoint, bool, error) {
	in, err := s.begin(ctx, "RedoPoint", failback.RedoPointSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.RedoPoint{}, false, err
	}
	for i := len(in.history) - 1; i >= 0; i-- {
		h := in.history[i]
		if strings.EqualFold(h.Database, name) {
			return failback.RedoPoint{LastLSN: lsnText(h.lastLSN), Type: h.typ, BackupSetName: h.BackupSetName, Device: h.Device, Date: h.Date}, true, nil
		}
	}
	return failback.RedoPoint{}, false, nil
}

// JobStatus reads a job and its newest outcome.
func (s *SQL) JobStatus(ctx context.Context, name string) (failback.JobStatus, error) {
	in, err := s.begin(ctx, "JobStatus", failback.JobStatusSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.JobStatus{}, err
	}
	j := in.jobs[name]
	if j == nil {
		return failback.JobStatus{}, nil
	}
	st := failback.JobStatus{Exists: true, Enabled: j.enabled}
	for i := len(j.runs) - 1; i >= 0; i-- {
		if r := j.runs[i]; r.step == 0 {
			st.LastInstanceID, st.LastStatus, st.LastRunDate, st.LastRunTime, st.LastMessage = r.id, r.status, r.date, r.time, r.msg
			break
		}
	}
	return st, nil
}

// JobSteps reads the step rows of a job's history between two outcome
// rows.
func (s *SQL) JobSteps(ctx context.Context, name string, after, before int64) ([]failback.JobStepRun, error) {
	in, err := s.begin(ctx, "JobSteps", failback.JobStepsSQL(name, after, before), false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	var out []failback.JobStepRun
	if j := in.jobs[name]; j != nil {
		for _, r := range j.runs {
			if r.step > 0 && r.id > after && r.id < before {
				out = append(out, failback.JobStepRun{InstanceID: r.id, StepID: r.step, StepName: r.stepName, Status: r.status, Message: r.msg})
			}
		}
	}
	return out, nil
}

// RestoreLog is RESTORE LOG ... WITH NORECOVERY with SQL Server's
// refusals: 3201 no file, 3118 no database, 3104 mirrored, 3117 already
// recovered, 3101 sessions, 4330 other recovery path, 4326 too early, 4305
// too recent.
func (s *SQL) RestoreLog(ctx context.Context, r failback.LogRestoreSpec) error {
	q, qerr := failback.RestoreLogSQL(r)
	in, err := s.begin(ctx, "RestoreLog", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RestoreLog", r.Database) // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	abort := backupAbort("RESTORE LOG")
	x, err := s.mediaSet(in, r.Path, "RESTORE LOG", max(r.File, 1))
	if err != nil {
		return err
	}
	d := in.Databases[r.Database]
	if d == nil {
		return sqlErr(in.ServerName, e(sqlerr.RestoreDatabaseNotFound, r.Database), abort)
	}
	if d.Mirror.Mirrored {
		return sqlErr(in.ServerName, e(sqlerr.RestoreMirrored, r.Database), abort)
	}
	if d.State != "ONLINE" || d.Standby {
		if len(s.w.sessions(s.name, r.Database)) > 0 {
			return sqlErr(in.ServerName, e(sqlerr.DatabaseInUse), abort)
		}
	}
	if err := applyLog(in, d, x, false); err != nil {
		return err
	}
	if r.Recovery {
		// Recovery ends the restore sequence: the database's own log chain
		// continues from the end of the restored log, so its first log
		// backup begins there (as after RecoverDatabase).
		d.State = "ONLINE"
		d.LogFrom = d.LSN
	}
	s.change("RestoreLog", r.Database, q)
	s.w.recordLogRestore(in, r.Database, r.Path, x)
	return nil
}

// KillSession is KILL <spid>: an admin's session goes away; a chat server's
// reconnects at once (the servers of the active list retry), so killing
// one changes nothing lasting; an unknown id gets 6106.
func (s *SQL) KillSession(ctx context.Context, id int16) error {
	q, qerr := failback.KillSQL(id)
	in, err := s.begin(ctx, "KillSession", q, true)
	defer s.end()
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	for _, d := range in.Databases {
		for i, o := range d.Other {
			if o.ID == id {
				s.change("KillSession", d.Name, q)
				d.Other = append(d.Other[:i], d.Other[i+1:]...)
				return nil
			}
		}
	}
	for _, p := range s.w.chatPlaces() {
		if p.instance == s.name {
			for _, c := range s.w.chatSessions(p) {
				if c.ID == id {
					s.change("KillSession", p.db, q)
					return nil
				}
			}
		}
	}
	for _, l := range s.w.linger {
		if l.place.instance == s.name {
			for i, c := range l.sessions {
				if c.ID == id {
					s.change("KillSession", l.place.db, q)
					l.sessions = append(l.sessions[:i], l.sessions[i+1:]...)
					return nil
				}
			}
		}
	}
	return sqlErr(in.ServerName, e(sqlerr.ProcessNotActive, id))
}

// RecoverDatabase is RESTORE DATABASE db WITH RECOVERY: 3118 no database,
// 3104 mirrored, 3153 already recovered, 3101 sessions; else ONLINE and
// writable, and no log can be applied any more (3117).
func (s *SQL) RecoverDatabase(ctx context.Context, name string) error {
	q, qerr := failback.RecoverDatabaseSQL(name)
	in, err := s.begin(ctx, "RecoverDatabase", q, true)
	defer s.end()
	if err == nil {
		err = s.permit(in, "RecoverDatabase", name) // permissions.go
	}
	if err == nil {
		err = qerr
	}
	if err != nil {
		return err
	}
	abort := e(sqlerr.BackupRestoreAborted, "RESTORE DATABASE")
	d := in.Databases[name]
	if d == nil {
		return sqlErr(in.ServerName, e(sqlerr.RestoreDatabaseNotFound, name), abort)
	}
	if d.Mirror.Mirrored {
		return sqlErr(in.ServerName, e(sqlerr.RestoreMirrored, name), abort)
	}
	if d.State == "ONLINE" && !d.Standby {
		return sqlErr(in.ServerName, e(sqlerr.AlreadyRecovered), abort)
	}
	if len(s.w.sessions(s.name, name)) > 0 {
		return sqlErr(in.ServerName, e(sqlerr.DatabaseInUse), abort)
	}
	s.change("RecoverDatabase", name, q)
	d.State, d.Standby, d.ReadOnly = "ONLINE", false, false
	d.LogFrom = d.LSN
	return nil
}
