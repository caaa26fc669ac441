package mssql_test

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

func TestOptionScripts(t *testing.T) {
	enginetest.Run(t, enginetest.OptionScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestGlobalScripts(t *testing.T) {
	enginetest.Run(t, enginetest.GlobalScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestTypeScripts(t *testing.T) {
	enginetest.Run(t, enginetest.TypeScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestCollationScripts(t *testing.T) {
	enginetest.Run(t, enginetest.CollationScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestConstraintScripts(t *testing.T) {
	enginetest.Run(t, enginetest.ConstraintScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestBackupErrorScripts(t *testing.T) {
	enginetest.Run(t, enginetest.BackupErrorScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, t.TempDir()), "master")
	})
}

func TestClientCatalogScripts(t *testing.T) {
	enginetest.Run(t, enginetest.ClientCatalogScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestDDLScripts(t *testing.T) {
	enginetest.Run(t, enginetest.DDLScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestCTEScripts(t *testing.T) {
	enginetest.Run(t, enginetest.CTEScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestCompatibilityViewScripts(t *testing.T) {
	enginetest.Run(t, enginetest.CompatibilityViewScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestPreparedScripts(t *testing.T) {
	enginetest.Run(t, enginetest.PreparedScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestMoneyScripts(t *testing.T) {
	enginetest.Run(t, enginetest.MoneyScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestLobScripts(t *testing.T) {
	enginetest.Run(t, enginetest.LobScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}

func TestVariantScripts(t *testing.T) {
	enginetest.Run(t, enginetest.VariantScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}
