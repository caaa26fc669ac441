package mssql_test

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

// TestBackupScripts runs the BACKUP/RESTORE script tests through
// go-mssqldb against a durable instance (BACKUP LOG needs a log).
func TestBackupScripts(t *testing.T) {
	enginetest.Run(t, enginetest.BackupScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, t.TempDir()), "master")
	})
}

func TestRecoveryModelScripts(t *testing.T) {
	enginetest.Run(t, enginetest.RecoveryModelScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, t.TempDir()), "master")
	})
}
