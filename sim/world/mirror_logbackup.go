package world

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/pchatdr/harness/failback/topology"
)

// A log-shipping backup that comes due during Install-CsMirrorDatabase.
// The cmdlet (like SQL Server's "Prepare a Mirror Database for Mirroring")
// takes a full backup of the principal's database and then a log backup,
// and restores both WITH NORECOVERY on the mirror. When the principal is a
// log-shipping primary of that database, its backup job runs on its
// schedule regardless: a 50 GB mgc's full backup lasts minutes, the job
// runs every few minutes, so in production a log-shipping log backup often
// lands between the two. It moves the log chain on, the cmdlet's log
// backup then begins after the full backup's end, and RESTORE LOG on the
// mirror fails with 4305 (SQL Server's documented rule; its "Prepare a
// Mirror Database" page: "If a log backup job is scheduled to run very
// frequently on the principal database, you might have to disable the
// backup job until mirroring has started"). The world makes that moment
// deterministic instead of waiting for a schedule to race a backup.

// dueLogBackup is armed by ArmLogBackupDuringMirrorSetup and consumed by
// the next mirror set-up of its database.
type dueLogBackup struct {
	mu    sync.Mutex
	db    string // "" when not armed
	fired []string
}

// ArmLogBackupDuringMirrorSetup makes the principal's log-shipping backup
// job come due once, during the next mirror set-up of db
// (Install-CsMirrorDatabase through the management endpoint), between its
// full backup and its log backup. The job then runs as its schedule would
// run it: only if it is enabled (SQL Server Agent passes a disabled job's
// schedule by; sp_start_job stands in for the schedule and waits for the
// run's outcome). What happened is in LogBackupsDuringMirrorSetup.
// Only the in-process management endpoint sets mirrors up through the
// world; a containerised one does it itself.
func (w *World) ArmLogBackupDuringMirrorSetup(db string) error {
	if w.Target() != TargetEmbedded {
		return w.label(LabelNotApplicable, "a log-shipping backup due during Install-CsMirrorDatabase",
			"the containerised management endpoint sets mirroring up itself, out of the world's reach")
	}
	w.dueLogBackup.mu.Lock()
	defer w.dueLogBackup.mu.Unlock()
	w.dueLogBackup.db = db
	return nil
}

// DisarmLogBackupDuringMirrorSetup takes back an armed log backup that has
// not come due.
func (w *World) DisarmLogBackupDuringMirrorSetup() {
	w.dueLogBackup.mu.Lock()
	defer w.dueLogBackup.mu.Unlock()
	w.dueLogBackup.db = ""
}

// LogBackupsDuringMirrorSetup lists what each log backup that came due
// during a mirror set-up did, oldest first: "<job> ran on <instance>",
// "<job> on <instance> is disabled: its schedule passed", or
// "<instance> ships no log of <db>".
func (w *World) LogBackupsDuringMirrorSetup() []string {
	w.dueLogBackup.mu.Lock()
	defer w.dueLogBackup.mu.Unlock()
	return append([]string(nil), w.dueLogBackup.fired...)
}

// takeDueLogBackup reports whether a log backup is due during this mirror
// set-up of db, disarming it.
func (w *World) takeDueLogBackup(db string) bool {
	w.dueLogBackup.mu.Lock()
	defer w.dueLogBackup.mu.Unlock()
	if w.dueLogBackup.db == "" || !strings.EqualFold(w.dueLogBackup.db, db) {
		return false
	}
	w.dueLogBackup.db = ""
	return true
}

func (w *World) noteDueLogBackup(what string) {
	w.dueLogBackup.mu.Lock()
	w.dueLogBackup.fired = append(w.dueLogBackup.fired, what)
	w.dueLogBackup.mu.Unlock()
	w.Timeline.Add("world", "fault", "log-shipping backup due during the mirror set-up: "+what, nil)
}

// runDueLogBackup runs the principal p's log-shipping backup job of db, as
// its schedule would, when one is due during this mirror set-up.
func (w *World) runDueLogBackup(ctx context.Context, db string, p *topology.Instance) error {
	if !w.takeDueLogBackup(db) {
		return nil
	}
	pi, ok := w.Instance(p.Name)
	if !ok {
		return fmt.Errorf("no instance %s", p.Name)
	}
	master, err := w.DB(pi, "master")
	if err != nil {
		return err
	}
	var job string
	var enabled int
	err = master.QueryRowContext(ctx, "SELECT j.name, j.enabled FROM msdb.dbo.log_shipping_primary_databases AS p "+
		"JOIN msdb.dbo.sysjobs AS j ON j.job_id = p.backup_job_id WHERE p.primary_database = @p1", db).Scan(&job, &enabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		w.noteDueLogBackup(fmt.Sprintf("%s ships no log of %s", p.Name, db))
		return nil
	case err != nil:
		return fmt.Errorf("the log-shipping backup job of %s on %s: %w", db, p.Name, err)
	case enabled == 0:
		w.noteDueLogBackup(fmt.Sprintf("%s on %s is disabled: its schedule passed", job, p.Name))
		return nil
	}
	if _, err := w.runJob(ctx, pi, master, job); err != nil {
		return err
	}
	w.noteDueLogBackup(fmt.Sprintf("%s ran on %s", job, p.Name))
	return nil
}
