// Package backup is SQL Server's BACKUP and RESTORE statements and msdb's
// backup history: a feature outside the engine (ARCHITECTURE.md §3), as
// sim/mssql/mirroring is. It checks SQL Server's preconditions, writes and
// reads the media through sim/mssql/storage/media as the service account,
// streams STATS progress and records msdb's history; what it needs of a
// database's state (the committed state a full backup copies, the log's
// records and LSNs, the crash-safe replacement of a database by a restored
// state) is the engine's exported surface (engine/export_backup.go,
// lsn.go). What SQL Server reports about backup sets (result sets, history
// rows, message texts) is sim/mssql/backupset's. The file procedures
// backup jobs use (xp_fileexist, xp_create_subdir, xp_dirtree,
// sys.dm_os_file_exists) are its Files feature.
package backup

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Backup is the BACKUP feature: BACKUP DATABASE and BACKUP LOG. Start
// creates msdb's backup history tables (after the Agent created its own)
// and re-establishes every database's log-backup hold, which lives in
// memory.
func Backup() engine.Feature {
	return engine.Feature{Name: "backup", Install: installBackup, Start: startBackup}
}

// Files is the file procedures' feature (files.go): xp_fileexist,
// xp_create_subdir, xp_dirtree and sys.dm_os_file_exists.
func Files() engine.Feature {
	return engine.Feature{Name: "files", Install: installFileProcs}
}

// Restore is the RESTORE feature: RESTORE DATABASE and LOG, and
// HEADERONLY, FILELISTONLY, LABELONLY and VERIFYONLY.
func Restore() engine.Feature {
	return engine.Feature{Name: "restore", Install: installRestore}
}

func installBackup(r *engine.Registry) {
	r.Statement(&tsql.BackupStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		x := st.(*tsql.BackupStmt)
		verb := "BACKUP DATABASE"
		if x.Log {
			verb = "BACKUP LOG"
		}
		return sc.FailBackup(verb, execBackup(sc, x, verb))
	})
}

func installRestore(r *engine.Registry) {
	r.Statement(&tsql.RestoreStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
		x := st.(*tsql.RestoreStmt)
		verb := engine.RestoreVerb(x.Kind)
		return sc.FailBackup(verb, execRestore(sc, x, verb))
	})
}

// newErr is the SQL Server message n (sqlerr's catalogue).
func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
