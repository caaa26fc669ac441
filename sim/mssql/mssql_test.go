package mssql_test

import (
	"database/sql"
	"testing"

	_ "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/enginetest"
)

const testPassword = "Sim-Passw0rd!"

// startServer starts an in-memory instance for one test and closes it when
// the test ends.
func startServer(t testing.TB, dataDir string) *mssql.Server {
	t.Helper()
	srv, err := mssql.Start(mssql.Config{Engine: engine.Config{
		Name: "SIMSQL", DataDir: dataDir, SAPassword: testPassword, AgentRunning: true,
		ServiceAccount: `CONTOSO\sqlsvc`, AgentAccount: `CONTOSO\sqlagent`,
	}})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

func openDB(t testing.TB, srv *mssql.Server, database string) *sql.DB {
	t.Helper()
	return openDBAs(t, srv, "sa", testPassword, database)
}

func openDBAs(t testing.TB, srv *mssql.Server, user, password, database string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", srv.DSN(user, password, database)+"&app+name=enginetest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestScripts(t *testing.T) {
	enginetest.Run(t, enginetest.Scripts, func(t *testing.T) *sql.DB {
		return openDB(t, startServer(t, ""), "master")
	})
}
