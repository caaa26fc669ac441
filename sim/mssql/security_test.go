package mssql_test

import (
	"database/sql"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sqlerr"
)

// TestPermissionsOverTDS: with every feature (mirroring lives outside the
// engine), a login in no server role is refused ALTER DATABASE ... SET
// PARTNER with 5011 and BACKUP with 262, as go-mssqldb receives them; a
// dbcreator reaches SET PARTNER's own check (1416: not mirrored).
func TestPermissionsOverTDS(t *testing.T) {
	prep := []string{
		`CREATE DATABASE mgc`,
		`ALTER DATABASE mgc SET RECOVERY FULL`,
		`CREATE LOGIN bob WITH PASSWORD = N'Bob-pw-1'`,
		`CREATE LOGIN dora WITH PASSWORD = N'Dora-pw-1'`,
		`ALTER SERVER ROLE dbcreator ADD MEMBER dora`,
	}
	as := func(user, password string) enginetest.Connector {
		return func(t *testing.T) *sql.DB {
			srv := startServer(t, "")
			sa := openDB(t, srv, "master")
			for _, q := range prep {
				if _, err := sa.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			return openDBAs(t, srv, user, password, "master")
		}
	}
	enginetest.Run(t, []enginetest.ScriptTest{
		{Name: "plain login", Assertions: []enginetest.Assertion{
			{Query: "SELECT SUSER_SNAME(), IS_SRVROLEMEMBER('sysadmin')", Expected: [][]any{{"bob", int64(0)}}},
			{Query: `ALTER DATABASE mgc SET PARTNER OFF`, ErrNumbers: []int32{sqlerr.AlterDatabaseDenied, sqlerr.AlterDatabaseFailed}},
			{Query: `BACKUP DATABASE mgc TO DISK = N'C:\bob.bak'`, ErrNumbers: []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted},
				ErrContains: "BACKUP DATABASE is terminating abnormally."},
		}},
	}, as("bob", "Bob-pw-1"))
	enginetest.Run(t, []enginetest.ScriptTest{
		{Name: "dbcreator", Assertions: []enginetest.Assertion{
			{Query: `ALTER DATABASE mgc SET PARTNER OFF`, ErrNumbers: []int32{sqlerr.NotMirrored, sqlerr.AlterDatabaseFailed}},
		}},
	}, as("dora", "Dora-pw-1"))
}
