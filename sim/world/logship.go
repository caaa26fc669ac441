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
// engine's step 5 sends (failback's text builders).
func (w *World) ConfigureLogShipping(ctx context.Context) error {
	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		return err
	}
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	p, err := w.DB(pri, "master")
	if err != nil {
		return err
	}
	b, err := w.DB(bak, "master")
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
		{p, "initialise: full backup of the primary mgc", "BACKUP DATABASE [mgc] TO DISK = N'" + init + "' WITH INIT, CHECKSUM"},
		{b, "initialise: restore it on the backup WITH NORECOVERY", "RESTORE DATABASE [mgc] FROM DISK = N'" + init + "' WITH REPLACE, NORECOVERY"},
		{p, "log-shipping primary", primary},
		{b, "log-shipping secondary", secondary},
		{p, "register the secondary on the primary", failback.AddLogShippingPrimarySecondarySQL(failback.DBContent, bakName, failback.DBContent)},
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

func mustInstance(t *topology.Topology, name string) *topology.Instance {
	in, _ := t.Instance(name)
	return in
}

// BackUpLog runs the primary's log-shipping backup job now (as its
// schedule would) and waits, bounded, until the monitor records a new log
// backup on the share: every message acknowledged before it is in a log
// backup the failover can apply.
func (w *World) BackUpLog(ctx context.Context) error {
	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		return err
	}
	p, err := w.DB(pri, "master")
	if err != nil {
		return err
	}
	last := func() (string, error) {
		var file sql.NullString
		err := p.QueryRowContext(ctx, "SELECT last_backup_file FROM msdb.dbo.log_shipping_monitor_primary WHERE primary_database = N'mgc'").Scan(&file)
		return file.String, err
	}
	before, err := last()
	if err != nil {
		return fmt.Errorf("world: log backup: %w", err)
	}
	// The job names its file <db>_<UTC time to the second>.trn, as SQL
	// Server's does: a second run within the same second would append to
	// the first run's file, which the copy job has already copied under
	// that name and never copies again. Real schedules are minutes apart;
	// the world's back-to-back runs wait for the next second instead.
	if err := w.nextLogBackupSecond(ctx); err != nil {
		return err
	}
	job := w.Topology.LogShipping.BackupJob
	if _, err := p.ExecContext(ctx, failback.StartJobSQL(job)); err != nil {
		return fmt.Errorf("world: log backup: %w", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		now, err := last()
		if err == nil && now != "" && now != before {
			w.mu.Lock()
			w.lastLogBackup = time.Now()
			w.mu.Unlock()
			w.Timeline.Add("world", "log-shipping", "log backup "+now, nil)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("world: log backup job %s: no new log backup within 20s (%v)", job, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// nextLogBackupSecond waits until the wall clock is in a later second
// than the previous log backup the world ran.
func (w *World) nextLogBackupSecond(ctx context.Context) error {
	w.mu.Lock()
	last := w.lastLogBackup
	w.mu.Unlock()
	if last.IsZero() {
		return nil
	}
	wait := time.Until(last.UTC().Truncate(time.Second).Add(time.Second + 10*time.Millisecond))
	if wait <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(wait):
		return nil
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
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	b, err := w.DB(bak, "master")
	if err != nil {
		return err
	}
	ls := w.Topology.LogShipping
	for _, job := range []string{ls.CopyJob, ls.RestoreJob} {
		if err := w.runJob(ctx, bak, b, job); err != nil {
			return err
		}
	}
	return nil
}

// runJob starts a SQL Server Agent job and waits for its outcome row in
// the job history; a run that did not succeed is an error with its message.
func (w *World) runJob(ctx context.Context, inst *Instance, db *sql.DB, job string) error {
	last := func() (id int64, status int, msg string, err error) {
		var enabled int
		var hid, hstatus, date, tm sql.NullInt64
		var hmsg sql.NullString
		err = db.QueryRowContext(ctx, failback.JobStatusSQL(job)).Scan(&enabled, &hid, &hstatus, &date, &tm, &hmsg)
		return hid.Int64, int(hstatus.Int64), hmsg.String, err
	}
	before, _, _, err := last()
	if err != nil {
		return fmt.Errorf("world: job %s on %s: %w", job, inst.Name, err)
	}
	if _, err := db.ExecContext(ctx, failback.StartJobSQL(job)); err != nil {
		return fmt.Errorf("world: start job %s on %s: %w", job, inst.Name, err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		id, status, msg, err := last()
		if err == nil && id > before && status != 4 { // 4: in progress
			if status != 1 {
				w.Timeline.Add(inst.Name, "job", job+" failed: "+msg, errors.New(msg))
				return fmt.Errorf("world: job %s on %s failed: %s", job, inst.Name, msg)
			}
			w.Timeline.Add(inst.Name, "job", job+" succeeded", nil)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("world: job %s on %s: no outcome within 20s (%v)", job, inst.Name, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
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
