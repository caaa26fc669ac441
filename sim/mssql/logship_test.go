package mssql_test

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

// TestLogShippingScripts runs the log-shipping and SQL Agent procedure
// script tests through go-mssqldb, with the failback engine's exact batches.
func TestLogShippingScripts(t *testing.T) {
	enginetest.Run(t, enginetest.LogShippingScripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}
