package backup

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
)

// msdb's backup history (backupmediaset, backupmediafamily, backupset,
// restorehistory) is kept in real msdb tables, written after each BACKUP
// and RESTORE on a system session, so any client's history queries (the
// failback engine's "latest full backup of mgc", dbatools'
// Get-DbaDbBackupHistory) work unchanged and the rows are as durable as
// msdb. The tables and rows are sim/mssql/backupset's.

// startBackup creates the msdb history tables and re-establishes every
// database's log-backup hold (holds live in memory).
func startBackup(inst *engine.Instance) error {
	if err := msdbSQL(context.Background(), inst, backupset.TablesSQL()); err != nil {
		return fmt.Errorf("msdb backup tables: %w", err)
	}
	for _, db := range inst.Databases() {
		if db.Durable() {
			db.HoldLogForBackup()
		}
	}
	return nil
}

// msdbSQL runs text in msdb on a system session; the first error message is
// returned.
func msdbSQL(ctx context.Context, inst *engine.Instance, text string) error {
	s, err := inst.SystemSession("msdb")
	if err != nil {
		return err
	}
	defer s.Close()
	sink := &sink{}
	if err := s.Batch(ctx, text, sink); err != nil {
		return err
	}
	for _, m := range sink.msgs {
		if m.Class > 10 {
			return m
		}
	}
	return nil
}

// sink keeps the messages a history batch produced.
type sink struct{ msgs []*engine.Error }

func (r *sink) Columns([]engine.Column) error        { return nil }
func (r *sink) Row([]engine.Value) error             { return nil }
func (r *sink) Done(engine.DoneInfo) error           { return nil }
func (r *sink) Message(m *engine.Error) error        { r.msgs = append(r.msgs, m); return nil }
func (r *sink) EnvChange(engine.EnvChange) error     { return nil }
func (r *sink) ReturnStatus(int32) error             { return nil }
func (r *sink) ReturnValue(engine.ReturnValue) error { return nil }

// historySetSQL inserts one backup set and leaves its backup_set_id in @bs.
func historySetSQL(device string, h media.SetHeader) string {
	return backupset.SetSQL(device, h, engine.NewGUID(), engine.NewGUID())
}

// recordBackupHistory writes a finished backup's msdb rows. History is
// best effort, as in SQL Server: the backup already succeeded.
func recordBackupHistory(ctx context.Context, inst *engine.Instance, device string, h media.SetHeader) {
	if err := msdbSQL(context.WithoutCancel(ctx), inst, historySetSQL(device, h)); err != nil {
		inst.Logf("engine: msdb backup history: %v", err)
	}
}

// recordRestoreHistory writes restorehistory (and the restored set's
// backupset row, as RESTORE loads the set's history on the restoring
// server).
func recordRestoreHistory(ctx context.Context, inst *engine.Instance, began time.Time, device string, h media.SetHeader, dest, user, restoreType string, replace, recovery bool) {
	text := historySetSQL(device, h) + backupset.RestoreSQL(began, dest, user, restoreType, replace, recovery)
	if err := msdbSQL(context.WithoutCancel(ctx), inst, text); err != nil {
		inst.Logf("engine: msdb restore history: %v", err)
	}
}
