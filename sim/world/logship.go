package world

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
)

// ShipLogs is ConfigureLogShipping (the name the failover steps use).
func (w *World) ShipLogs(ctx context.Context) error { return w.ConfigureLogShipping(ctx) }

// ConfigureLogShipping configures log shipping of mgc from the primary instance to the
// backup instance as it runs before a disaster (reference §2.3): the
// secondary initialised from a full backup of the primary through the
// share (RESTORING), the primary's backup job and the secondary's copy and
// restore jobs, all with the topology's names, sent as the same T-SQL the
// engine's step 5 sends (failback's text builders), and the alert job
// (LSAlert_<server>) on both, each its own monitor.
func (w *World) ConfigureLogShipping(ctx context.Context) error {
	pri, p, err := w.masterByRole(topology.RolePrimary)
	if err != nil {
		return err
	}
	bak, b, err := w.masterByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	t := w.Topology
	ls := t.LogShipping
	init := t.Share.UNC + `\mgc_logship_seed.bak`
	start := time.Now().UTC()
	date := start.Year()*10000 + int(start.Month())*100 + start.Day()
	priName, bakName := serverName(mustInstance(t, pri.Name)), serverName(mustInstance(t, bak.Name))
	primary, err := failback.AddLogShippingPrimarySQL(failback.LogShippingPrimary{Database: failback.DBContent,
		BackupDirectory: t.Share.UNC, BackupShare: t.Share.UNC, BackupJob: ls.BackupJob, ScheduleName: "LSBackupSchedule_mgc",
		ScheduleMinutes: ls.ScheduleMinutes, RetentionMinutes: ls.RetentionMinutes, BackupThresholdMinutes: ls.BackupThresholdMinutes, StartDate: date})
	if err != nil {
		return err
	}
	secondary, err := failback.AddLogShippingSecondarySQL(failback.LogShippingSecondary{PrimaryServer: priName, Database: failback.DBContent,
		BackupSourceDirectory: t.Share.UNC, CopyDirectory: ls.CopyDirectory, CopyJob: ls.CopyJob, RestoreJob: ls.RestoreJob,
		CopyScheduleName: "LSCopySchedule_mgc", RestoreScheduleName: "LSRestoreSchedule_mgc", ScheduleMinutes: ls.ScheduleMinutes,
		RetentionMinutes: ls.RetentionMinutes, RestoreThresholdMinutes: ls.RestoreThresholdMinutes, StartDate: date})
	if err != nil {
		return err
	}
	steps := []struct {
		db   *sql.DB
		what string
		q    string
	}{
		{p, "initialise: full backup of the primary mgc", "BACKUP DATABASE [mgc] TO DISK = " + nlit(init) + " WITH INIT, CHECKSUM"},
		{b, "initialise: restore it on the backup WITH NORECOVERY", "RESTORE DATABASE [mgc] FROM DISK = " + nlit(init) + " WITH REPLACE, NORECOVERY"},
		{p, "log-shipping primary", primary},
		{b, "log-shipping secondary", secondary},
		{p, "register the secondary on the primary", failback.AddLogShippingPrimarySecondarySQL(failback.DBContent, bakName, failback.DBContent)},
		{p, "alert job on the primary", failback.AddLogShippingAlertJobSQL},
		{b, "alert job on the backup", failback.AddLogShippingAlertJobSQL},
	}
	for _, s := range steps {
		if _, err := s.db.ExecContext(ctx, s.q); err != nil {
			w.Timeline.Add("world", "log-shipping", s.what, err)
			return fmt.Errorf("world: log shipping: %s: %w", s.what, err)
		}
		w.Timeline.Add("world", "log-shipping", s.what, nil)
	}
	return nil
}

// ConfigureLogShippingFromMirror makes the primary-mirror instance a
// log-shipping primary of mgc too, with the same settings and the same
// secondary (reference §2.4, "Set up log shipping between the primary
// mirror and the secondary"): after a mirroring failover on the primary
// side its backup job ships the log, and the backup instance's copy and
// restore jobs, which read every mgc log backup on the share, carry on. As
// SQL Server's "Database Mirroring and Log Shipping" says, SSMS takes one
// primary per configuration, so this is the stored procedures' half of the
// script (the secondary is initialised already); while mgc is the mirror
// (RESTORING) the job has nothing to back up and succeeds.
func (w *World) ConfigureLogShippingFromMirror(ctx context.Context) error {
	return w.shipLogFrom(ctx, topology.RolePrimaryMirror, topology.RoleBackup, "world",
		"log shipping from the primary-mirror", "log shipping from the primary-mirror")
}

// shipLogFrom makes the instance of role from a log-shipping primary of mgc
// shipping to the instance of role to (the stored procedures' half of the
// documented script; the secondary's side is another's), with the
// topology's schedule and an LSAlert job, and records it on the timeline
// as who did it.
func (w *World) shipLogFrom(ctx context.Context, from, to topology.Role, who, what, done string) error {
	_, m, err := w.masterByRole(from)
	if err != nil {
		return err
	}
	sec, err := w.InstanceByRole(to)
	if err != nil {
		return err
	}
	t := w.Topology
	ls := t.LogShipping
	start := time.Now().UTC()
	primary, err := failback.AddLogShippingPrimarySQL(failback.LogShippingPrimary{Database: failback.DBContent,
		BackupDirectory: t.Share.UNC, BackupShare: t.Share.UNC, BackupJob: ls.BackupJob, ScheduleName: "LSBackupSchedule_mgc",
		ScheduleMinutes: ls.ScheduleMinutes, RetentionMinutes: ls.RetentionMinutes, BackupThresholdMinutes: ls.BackupThresholdMinutes,
		StartDate: start.Year()*10000 + int(start.Month())*100 + start.Day()})
	if err != nil {
		return err
	}
	for _, q := range []string{primary, failback.AddLogShippingPrimarySecondarySQL(failback.DBContent, serverName(mustInstance(t, sec.Name)), failback.DBContent),
		failback.AddLogShippingAlertJobSQL} {
		if _, err := m.ExecContext(ctx, q); err != nil {
			w.Timeline.Add(who, "log-shipping", what, err)
			return fmt.Errorf("world: %s: %w", what, err)
		}
	}
	w.Timeline.Add(who, "log-shipping", done, nil)
	return nil
}

// ShipLogFromBackupMirror leaves on the backup-mirror what an
// administrator who set up the HA/DR configuration on the backup side
// during the failover period leaves there ("Configuring Persistent Chat
// Server for high availability and disaster recovery", §2.4, with the
// sites' roles swapped): the backup-mirror a log-shipping primary of mgc
// (its mirror copy, RESTORING: the backup job has nothing to do until a
// mirroring failover) shipping to the primary instance, with its backup
// job and its LSAlert job. The failback must leave none of it.
func (w *World) ShipLogFromBackupMirror(ctx context.Context) error {
	return w.shipLogFrom(ctx, topology.RoleBackupMirror, topology.RolePrimary, "operator",
		"log shipping from the backup-mirror", "log shipping from the backup-mirror to the primary instance")
}

// FailOverMirroring is a manual mirroring failover (ALTER DATABASE ... SET
// PARTNER FAILOVER on the principal, as Invoke-CsDatabaseFailover does):
// the database of the principal instance of role becomes the mirror, its
// partner the principal. It waits until the new principal's session is
// SYNCHRONIZED.
func (w *World) FailOverMirroring(ctx context.Context, role topology.Role, db string) error {
	_, p, err := w.masterByRole(role)
	if err != nil {
		return err
	}
	var mrole sql.NullString
	if err := p.QueryRowContext(ctx, "SELECT mirroring_role_desc FROM sys.database_mirroring WHERE database_id = DB_ID(@p1)", db).Scan(&mrole); err != nil {
		return fmt.Errorf("world: mirroring failover of %s: %w", db, err)
	}
	if mrole.String != "PRINCIPAL" {
		return fmt.Errorf("world: mirroring failover of %s: it is not the principal on the %s instance (role %q)", db, role, mrole.String)
	}
	q := "ALTER DATABASE " + quoteName(db) + " SET PARTNER FAILOVER"
	_, err = p.ExecContext(ctx, q)
	w.Timeline.Add("operator", "mirroring-failover", q, err)
	if err != nil {
		return fmt.Errorf("world: %s: %w", q, err)
	}
	for _, in := range w.Topology.Instances {
		if in.Role == topology.RolePrimaryMirror && role == topology.RolePrimary || in.Role == topology.RolePrimary && role == topology.RolePrimaryMirror {
			_, m, err := w.masterByRole(in.Role)
			if err != nil {
				return err
			}
			wctx, cancel := context.WithTimeout(ctx, mirrorTimeout)
			defer cancel()
			return waitSynchronized(wctx, m, db)
		}
	}
	return nil
}

func mustInstance(t *topology.Topology, name string) *topology.Instance {
	in, _ := t.Instance(name)
	return in
}

// BackUpLog runs the primary's log-shipping backup job now (as its
// schedule would) and waits, bounded, until the monitor records a new log
// backup on the share: every message acknowledged before it is in a log
// backup the failover can apply.
func (w *World) BackUpLog(ctx context.Context) error {
	return w.BackUpLogOn(ctx, topology.RolePrimary)
}

// BackUpLogOn is BackUpLog on the instance of role: the primary-mirror's
// log-shipping backup job does the work after a mirroring failover.
func (w *World) BackUpLogOn(ctx context.Context, role topology.Role) error {
	pri, p, err := w.masterByRole(role)
	if err != nil {
		return err
	}
	last := func() (string, error) {
		var file sql.NullString
		var at sql.NullTime
		err := p.QueryRowContext(ctx, "SELECT last_backup_file, last_backup_date_utc FROM msdb.dbo.log_shipping_monitor_primary WHERE primary_database = N'mgc'").Scan(&file, &at)
		if at.Valid {
			w.noteLogBackup(at.Time)
		}
		return file.String, err
	}
	job := w.Topology.LogShipping.BackupJob
	// A few rounds at most: a round is repeated only when the job's own
	// schedule ran it in the meantime (see runJob's waited).
	for round := 1; ; round++ {
		before, err := last()
		if err != nil {
			return fmt.Errorf("world: log backup: %w", err)
		}
		if err := w.nextLogBackupSecond(ctx); err != nil {
			return err
		}
		waited, err := w.runJob(ctx, pri, p, job)
		if err != nil {
			return fmt.Errorf("world: log backup: %w", err)
		}
		now, err := last()
		if err != nil {
			return fmt.Errorf("world: log backup: %w", err)
		}
		if now != "" && now != before && !waited {
			w.Timeline.Add("world", "log-shipping", "log backup "+now, nil)
			return nil
		}
		if round == 3 {
			return fmt.Errorf("world: log backup job %s succeeded but the monitor's last backup file is still %q", job, before)
		}
	}
}

// noteLogBackup records the Agent-clock time of a log backup the world
// knows of (its own runs and the schedule's, read from the monitor).
func (w *World) noteLogBackup(at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if at.After(w.lastLogBackup) {
		w.lastLogBackup = at
	}
}

// agentNow reads the clock the Agent names log backup files by.
func (w *World) agentNow() time.Time {
	if w.agentClock != nil {
		return w.agentClock.Now()
	}
	return time.Now()
}

// nextLogBackupSecond waits until the backup job can be run without
// naming its file as another run did. The job names its file
// <db>_<UTC time to the second>.trn, as SQL Server's does, and a second run
// within the same second appends to the first run's file, which the copy
// job may already have copied under that name and never copies again: the
// log chain on the secondary would have a gap. Real runs are minutes
// apart; the world's back-to-back runs, and the job's schedule firing next
// to one of them, are not. So it waits, on the Agent's clock, for a second
// later than any log backup the world knows of and clear of the schedule's
// next run by a second either side.
func (w *World) nextLogBackupSecond(ctx context.Context) error {
	w.mu.Lock()
	known, last := !w.lastLogBackup.IsZero(), w.lastLogBackup.UTC().Truncate(time.Second)
	w.mu.Unlock()
	period := w.Topology.LogShipping.ScheduleMinutes * 60
	for {
		now := w.agentNow()
		free := !known || now.UTC().Truncate(time.Second).After(last)
		if free && period > 0 {
			// The schedule runs every period seconds from midnight (the
			// topology's schedule starts at 00:00:00).
			off := (now.Hour()*3600 + now.Minute()*60 + now.Second()) % period
			free = off >= 2 && off <= period-2
		}
		if free {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// CatchUpLogShipping runs the log-shipping jobs now, as their schedules
// would: the primary's backup job, then the secondary's copy and restore
// jobs, each waited for (bounded) and its outcome checked. Afterwards the
// backup mgc has every change the primary had when the backup job ran.
func (w *World) CatchUpLogShipping(ctx context.Context) error {
	if err := w.BackUpLog(ctx); err != nil {
		return err
	}
	return w.CopyAndRestoreLogs(ctx)
}

// CopyAndRestoreLogs runs the backup instance's log-shipping copy and
// restore jobs now, as their schedules would, each waited for.
func (w *World) CopyAndRestoreLogs(ctx context.Context) error {
	bak, b, err := w.masterByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	ls := w.Topology.LogShipping
	for _, job := range []string{ls.CopyJob, ls.RestoreJob} {
		if _, err := w.runJob(ctx, bak, b, job); err != nil {
			return err
		}
	}
	return nil
}

// jobTimeout bounds how long the world waits for one Agent job's outcome.
const jobTimeout = time.Minute

// runJob starts a SQL Server Agent job and waits for its outcome row in
// the job history; a run that did not succeed is an error with its message.
// When the job's schedule has already started it, SQL Server refuses the
// start (22022, "already running"): runJob waits for that run to end and
// starts the job again, and reports waited.
func (w *World) runJob(ctx context.Context, inst *Instance, db *sql.DB, job string) (waited bool, err error) {
	last := func() (id int64, status int, msg string, err error) {
		var enabled int
		var hid, hstatus, date, tm sql.NullInt64
		var hmsg sql.NullString
		err = db.QueryRowContext(ctx, failback.JobStatusSQL(job)).Scan(&enabled, &hid, &hstatus, &date, &tm, &hmsg)
		return hid.Int64, int(hstatus.Int64), hmsg.String, err
	}
	// Generous: a job takes milliseconds, but a CI machine running the
	// race detector over several packages can starve it for many seconds.
	deadline := time.Now().Add(jobTimeout)
	pause := func() error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
			return nil
		}
	}
	var before int64
	for {
		if before, _, _, err = last(); err != nil {
			return waited, fmt.Errorf("world: job %s on %s: %w", job, inst.Name, err)
		}
		_, err = db.ExecContext(ctx, failback.StartJobSQL(job))
		if err == nil {
			break
		}
		if !failback.JobAlreadyRunning(err) || time.Now().After(deadline) {
			return waited, fmt.Errorf("world: start job %s on %s: %w", job, inst.Name, err)
		}
		waited = true
		if err := pause(); err != nil {
			return waited, err
		}
	}
	for {
		id, status, msg, err := last()
		if err == nil && id > before && status != 4 { // 4: in progress
			if status != 1 {
				w.Timeline.Add(inst.Name, "job", job+" failed: "+msg, errors.New(msg))
				return waited, fmt.Errorf("world: job %s on %s failed: %s", job, inst.Name, msg)
			}
			w.Timeline.Add(inst.Name, "job", job+" succeeded", nil)
			return waited, nil
		}
		if time.Now().After(deadline) {
			return waited, fmt.Errorf("world: job %s on %s: no outcome within %s (last error: %v)", job, inst.Name, jobTimeout, err)
		}
		if err := pause(); err != nil {
			return waited, err
		}
	}
}

// RemoveInstance takes an instance out of the deployment: stopped, and no
// longer in the topology the engine is handed.
func (w *World) RemoveInstance(ctx context.Context, role topology.Role) error {
	inst, err := w.InstanceByRole(role)
	if err != nil {
		return err
	}
	if err := w.StopInstance(ctx, inst); err != nil {
		return err
	}
	kept := w.Topology.Instances[:0:0]
	for _, in := range w.Topology.Instances {
		if in.Name != inst.Name {
			kept = append(kept, in)
		}
	}
	w.Topology.Instances = kept
	w.mu.Lock()
	delete(w.instances, inst.Name)
	w.mu.Unlock()
	w.Timeline.Add(inst.Name, "remove", "not deployed", nil)
	return nil
}
