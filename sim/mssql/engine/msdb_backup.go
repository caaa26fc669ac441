package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
)

// msdb's backup history (backupmediaset, backupmediafamily, backupset,
// restorehistory) is kept in real msdb tables, written after each BACKUP
// and RESTORE on a system session, so any client's history queries (the
// failback engine's "latest full backup of mgc", dbatools'
// Get-DbaDbBackupHistory) work unchanged and the rows are as durable as
// msdb. The tables and rows are sim/mssql/backupset's.

// startBackupSubsystem creates the msdb history tables and re-establishes
// every database's log-backup hold (holds live in memory).
func startBackupSubsystem(inst *Instance) error {
	if _, err := inst.bkSQL(context.Background(), backupset.TablesSQL()); err != nil {
		return fmt.Errorf("msdb backup tables: %w", err)
	}
	for _, db := range inst.sortedDBs() {
		if db.log != nil {
			db.holdLogForBackup()
		}
	}
	return nil
}

// bkSQL runs text in msdb on a system session; the first error message is
// returned.
func (inst *Instance) bkSQL(ctx context.Context, text string) (*bkSink, error) {
	s, err := inst.SystemSession("msdb")
	if err != nil {
		return nil, err
	}
	defer s.Close()
	sink := &bkSink{}
	if err := s.Batch(ctx, text, sink); err != nil {
		return sink, err
	}
	for _, m := range sink.msgs {
		if m.Class > 10 {
			return sink, m
		}
	}
	return sink, nil
}

// bkSink keeps what a history batch produced.
type bkSink struct {
	rows [][]Value
	msgs []*Error
}

func (r *bkSink) Columns([]Column) error        { return nil }
func (r *bkSink) Row(v []Value) error           { r.rows = append(r.rows, v); return nil }
func (r *bkSink) Done(DoneInfo) error           { return nil }
func (r *bkSink) Message(m *Error) error        { r.msgs = append(r.msgs, m); return nil }
func (r *bkSink) EnvChange(EnvChange) error     { return nil }
func (r *bkSink) ReturnStatus(int32) error      { return nil }
func (r *bkSink) ReturnValue(ReturnValue) error { return nil }

// historySetSQL inserts one backup set and leaves its backup_set_id in @bs.
func (inst *Instance) historySetSQL(device string, h media.SetHeader) string {
	return backupset.SetSQL(device, h, newGUID(), newGUID())
}

// recordBackupHistory writes a finished backup's msdb rows. History is
// best effort, as in SQL Server: the backup already succeeded.
func (inst *Instance) recordBackupHistory(ctx context.Context, device string, h media.SetHeader, _ *bkOptions) {
	if _, err := inst.bkSQL(context.WithoutCancel(ctx), inst.historySetSQL(device, h)); err != nil {
		inst.logf("engine: msdb backup history: %v", err)
	}
}

// recordRestoreHistory writes restorehistory (and the restored set's
// backupset row, as RESTORE loads the set's history on the restoring
// server).
func (inst *Instance) recordRestoreHistory(ctx context.Context, began time.Time, device string, h media.SetHeader, dest, user, restoreType string, replace, recovery bool) {
	text := inst.historySetSQL(device, h) + backupset.RestoreSQL(began, dest, user, restoreType, replace, recovery)
	if _, err := inst.bkSQL(context.WithoutCancel(ctx), text); err != nil {
		inst.logf("engine: msdb restore history: %v", err)
	}
}
