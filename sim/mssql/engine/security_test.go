package engine_test

import (
	"context"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sqlerr"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/principals"
)

// secPrep runs as sa before a security script: a database with a full
// backup, and logins for the script to connect as. bob is a plain login,
// dora a dbcreator, sam a sysadmin (ALTER SERVER ROLE), cfgadmin a login
// the configuration makes sysadmin (setup's /SQLSYSADMINACCOUNTS).
var secPrep = []string{
	`CREATE DATABASE mgc`,
	`ALTER DATABASE mgc SET RECOVERY FULL`,
	`BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH INIT`,
	`CREATE LOGIN bob WITH PASSWORD = N'Bob-pw-1'`,
	`CREATE LOGIN dora WITH PASSWORD = N'Dora-pw-1'`,
	`CREATE LOGIN sam WITH PASSWORD = N'Sam-pw-1'`,
	`ALTER SERVER ROLE dbcreator ADD MEMBER dora`,
	`EXEC sp_addsrvrolemember @loginame = N'sam', @rolename = N'sysadmin'`,
}

var secPasswords = map[string]string{"bob": "Bob-pw-1", "dora": "Dora-pw-1", "sam": "Sam-pw-1", "cfgadmin": "Cfg-pw-1", "sa": "Pa55w.rd!"}

// runScriptsAs runs script tests in enginetest's format in-process, each on
// a fresh instance prepared by secPrep as sa and then connected as user.
func runScriptsAs(t *testing.T, user string, tests []enginetest.ScriptTest) {
	t.Helper()
	enginetest.RunSessions(t, tests, func(t *testing.T) enginetest.Session {
		inst, err := engine.New(engine.Config{Name: "SIMSQL01", SAPassword: "Pa55w.rd!", NoSync: true,
			Logins:         map[string]string{"cfgadmin": "Cfg-pw-1"},
			SysadminLogins: []string{"cfgadmin"},
			ServiceAccount: `NT Service\MSSQLSERVER`, AgentAccount: `CONTOSO\sqlagent`, AgentRunning: true,
			Features: features.Default()})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		t.Cleanup(func() { inst.Close() })
		sa := login(t, inst, "prep")
		for _, q := range secPrep {
			mustRun(t, sa, q)
		}
		s, err := inst.Login(context.Background(), engine.LoginRequest{User: user, Password: secPasswords[user], AppName: "scripttest", HostName: "testhost"})
		if err != nil {
			t.Fatalf("login as %s: %v", user, err)
		}
		return enginerec.Script(t, s)
	})
}

// TestServerRolesAsSA: membership as sa sees it, and ALTER SERVER ROLE's
// refusals.
func TestServerRolesAsSA(t *testing.T) {
	runScriptsAs(t, "sa", []enginetest.ScriptTest{
		{Name: "is_srvrolemember", Assertions: []enginetest.Assertion{
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('sysadmin', 'bob'), IS_SRVROLEMEMBER('sysadmin', 'sam'), IS_SRVROLEMEMBER('sysadmin', 'cfgadmin')", Rows: []string{"1|0|1|1"}},
			{Query: "SELECT IS_SRVROLEMEMBER('dbcreator', 'dora'), IS_SRVROLEMEMBER('dbcreator', 'sa'), IS_SRVROLEMEMBER('public', 'bob')", Rows: []string{"1|0|1"}},
			// NULL: an unknown role, an unknown login, the word NULL.
			{Query: "SELECT IS_SRVROLEMEMBER('nosuchrole'), IS_SRVROLEMEMBER('sysadmin', 'nobody'), IS_SRVROLEMEMBER('sysadmin', NULL)", Rows: []string{"NULL|NULL|NULL"}},
		}},
		{Name: "catalog", Assertions: []enginetest.Assertion{
			{Query: "SELECT name, type_desc FROM sys.server_principals WHERE type = 'R' AND name IN ('public', 'sysadmin', 'dbcreator') ORDER BY principal_id", Rows: []string{"public|SERVER_ROLE", "sysadmin|SERVER_ROLE", "dbcreator|SERVER_ROLE"}},
			{Query: "SELECT name FROM sys.server_principals WHERE name = 'bob'", Rows: []string{"bob"}},
			{Query: `SELECT r.name, m.name FROM sys.server_role_members AS rm
				JOIN sys.server_principals AS r ON r.principal_id = rm.role_principal_id
				JOIN sys.server_principals AS m ON m.principal_id = rm.member_principal_id ORDER BY r.name, m.name`,
				Rows: []string{"dbcreator|dora", "sysadmin|cfgadmin", "sysadmin|sa", "sysadmin|sam"}},
		}},
		{Name: "add and drop", Assertions: []enginetest.Assertion{
			{Query: "ALTER SERVER ROLE sysadmin ADD MEMBER bob"},
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin', 'bob')", Rows: []string{"1"}},
			{Query: "ALTER SERVER ROLE sysadmin DROP MEMBER bob"},
			{Query: "EXEC sp_dropsrvrolemember N'cfgadmin', N'sysadmin'"},
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin', 'bob'), IS_SRVROLEMEMBER('sysadmin', 'cfgadmin')", Rows: []string{"0|0"}},
			// Dropping a login that is not a member changes nothing.
			{Query: "ALTER SERVER ROLE sysadmin DROP MEMBER bob"},
		}},
		{Name: "refusals", Assertions: []enginetest.Assertion{
			{Query: "ALTER SERVER ROLE sysadmin DROP MEMBER sa", ErrNumbers: []int32{sqlerr.SpecialPrincipal}},
			{Query: "ALTER SERVER ROLE nosuchrole ADD MEMBER bob", ErrNumbers: []int32{sqlerr.CannotAlterNotFound}},
			{Query: "ALTER SERVER ROLE [public] ADD MEMBER bob", ErrNumbers: []int32{sqlerr.CannotAlterNotFound}},
			{Query: "ALTER SERVER ROLE sysadmin ADD MEMBER nobody", ErrNumbers: []int32{sqlerr.CannotAlterNotFound}},
			{Query: "ALTER SERVER ROLE sysadmin WITH NAME = x", ErrNumbers: []int32{sqlerr.SyntaxError}},
		}},
	})
}

// TestPermissionsOfPlainLogin: a login in no server role is refused what
// the failback does, each with SQL Server's error.
func TestPermissionsOfPlainLogin(t *testing.T) {
	runScriptsAs(t, "bob", []enginetest.ScriptTest{
		{Name: "own membership", Assertions: []enginetest.Assertion{
			{Query: "SELECT SUSER_SNAME(), IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('public')", Rows: []string{"bob|0|1"}},
			// Another login's membership is not visible to bob.
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin', 'sa')", Rows: []string{"NULL"}},
			{Query: "SELECT COUNT(*) FROM sys.server_role_members", Rows: []string{"0"}},
		}},
		{Name: "backup 262", Assertions: []enginetest.Assertion{
			{Query: `BACKUP DATABASE mgc TO DISK = N'C:\bob.bak'`, ErrNumbers: []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted}},
			{Query: `BACKUP LOG mgc TO DISK = N'C:\bob.trn'`, ErrNumbers: []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted}},
			{Query: `DECLARE @db sysname = N'mgc'; BACKUP DATABASE @db TO DISK = N'C:\bob.bak'`, ErrNumbers: []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted}},
		}},
		{Name: "restore 3110", Assertions: []enginetest.Assertion{
			{Query: `RESTORE DATABASE mgc FROM DISK = N'C:\mgc.bak' WITH REPLACE`, ErrNumbers: []int32{sqlerr.RestorePermissionDenied, sqlerr.BackupRestoreAborted}},
			{Query: `RESTORE HEADERONLY FROM DISK = N'C:\mgc.bak'`, ErrNumbers: []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted}},
		}},
		// ALTER DATABASE ... SET PARTNER (5011) needs the mirroring
		// feature, which lives outside the engine: sim/mssql's
		// TestPermissionsOverTDS.
		// The log-shipping (15247) and Agent (229) procedures are
		// sim/mssql/msdb's: its TestPermissionsOfPlainLogin.
		{Name: "security 15151 15247", Assertions: []enginetest.Assertion{
			{Query: `ALTER SERVER ROLE sysadmin ADD MEMBER bob`, ErrNumbers: []int32{sqlerr.CannotAlterNotFound}},
			{Query: `EXEC sp_addsrvrolemember N'bob', N'sysadmin'`, ErrNumbers: []int32{sqlerr.NoPermissionForAction}},
			{Query: `CREATE LOGIN eve WITH PASSWORD = N'Eve-pw-1'`, ErrNumbers: []int32{sqlerr.NoPermissionForAction}},
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin')", Rows: []string{"0"}},
		}},
	})
}

// TestPermissionsOfDbcreator: dbcreator may RESTORE (and ALTER DATABASE:
// sim/mssql's TestPermissionsOverTDS) but
// not BACKUP (no database role in this model gives it) or run sysadmin-only
// procedures; a dbcreator adds members to dbcreator, not to sysadmin.
func TestPermissionsOfDbcreator(t *testing.T) {
	runScriptsAs(t, "dora", []enginetest.ScriptTest{
		{Name: "dbcreator", Assertions: []enginetest.Assertion{
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('dbcreator')", Rows: []string{"0|1"}},
			{Query: `RESTORE HEADERONLY FROM DISK = N'C:\mgc.bak'`, Rows: nil},
			{Query: `RESTORE DATABASE mgc2 FROM DISK = N'C:\mgc.bak' WITH MOVE N'mgc' TO N'C:\mgc2.mdf', MOVE N'mgc_log' TO N'C:\mgc2.ldf'`},
			{Query: "SELECT state_desc FROM sys.databases WHERE name = 'mgc2'", Rows: []string{"ONLINE"}},
			{Query: `BACKUP DATABASE mgc TO DISK = N'C:\dora.bak'`, ErrNumbers: []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted}},
			// sp_start_job (229): sim/mssql/msdb's TestPermissionsOfDbcreator.
			{Query: `ALTER SERVER ROLE dbcreator ADD MEMBER bob`},
			{Query: "SELECT IS_SRVROLEMEMBER('dbcreator', 'dora')", Rows: []string{"1"}},
			{Query: `ALTER SERVER ROLE sysadmin ADD MEMBER bob`, ErrNumbers: []int32{sqlerr.CannotAlterNotFound}},
		}},
	})
}

// TestPermissionsOfGrantedSysadmin: a login ALTER SERVER ROLE made
// sysadmin (sam) does what sa does; a configured one too.
func TestPermissionsOfGrantedSysadmin(t *testing.T) {
	for _, user := range []string{"sam", "cfgadmin"} {
		t.Run(user, func(t *testing.T) {
			runScriptsAs(t, user, []enginetest.ScriptTest{
				{Name: "sysadmin", Assertions: []enginetest.Assertion{
					{Query: "SELECT IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('sysadmin', 'bob')", Rows: []string{"1|0"}},
					{Query: `BACKUP DATABASE mgc TO DISK = N'C:\sam.bak' WITH INIT`},
					{Query: `RESTORE DATABASE mgc FROM DISK = N'C:\sam.bak' WITH REPLACE`},
					{Query: `ALTER SERVER ROLE sysadmin ADD MEMBER bob`},
					{Query: "SELECT IS_SRVROLEMEMBER('sysadmin', 'bob')", Rows: []string{"1"}},
				}},
			})
		})
	}
}

// TestRoleMembershipSurvivesRestart: ALTER SERVER ROLE is durable, and a
// configured sysadmin that was dropped stays dropped.
func TestRoleMembershipSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := engine.Config{Name: "SIMSQL01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
		Logins: map[string]string{"cfgadmin": "Cfg-pw-1"}, SysadminLogins: []string{"cfgadmin"}, Features: features.Default()}
	inst, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := login(t, inst, "t")
	mustRun(t, s, `CREATE LOGIN bob WITH PASSWORD = N'Bob-pw-1'; ALTER SERVER ROLE sysadmin ADD MEMBER bob; ALTER SERVER ROLE sysadmin DROP MEMBER cfgadmin`)
	inst.Close()
	inst, err = engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if !inst.IsServerRoleMember(principals.RoleSysadmin, "bob") || inst.IsServerRoleMember(principals.RoleSysadmin, "cfgadmin") || !inst.IsServerRoleMember(principals.RoleSysadmin, "sa") {
		t.Fatalf("after restart: bob %t cfgadmin %t sa %t, want true false true",
			inst.IsServerRoleMember(principals.RoleSysadmin, "bob"), inst.IsServerRoleMember(principals.RoleSysadmin, "cfgadmin"), inst.IsServerRoleMember(principals.RoleSysadmin, "sa"))
	}
	if _, err := inst.Login(context.Background(), engine.LoginRequest{User: "bob", Password: "wrong"}); err == nil {
		t.Fatal("bob logged in with a wrong password")
	}
	if _, err := inst.Login(context.Background(), engine.LoginRequest{User: "bob", Password: "Bob-pw-1"}); err != nil {
		t.Fatalf("bob with his password: %v", err)
	}
}
