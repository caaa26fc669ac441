package msdb_test

import (
	"context"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sqlerr"
)

// An instance runs what its features installed and nothing else: the
// registries are the instance's own, built in New from Config.Features,
// so an instance without the Agent knows no msdb job procedure while
// another in the same process does.
func TestFeaturesAreTheInstances(t *testing.T) {
	// Every feature but this package's: no Agent, no log shipping.
	var noAgent []engine.Feature
	for _, f := range features.Default() {
		if f.Name != "agent" && f.Name != "logshipping" && f.Name != "logshipping-alert" {
			noAgent = append(noAgent, f)
		}
	}
	bare, err := engine.New(engine.Config{Name: "BARE", SAPassword: "Pa55w.rd!", Features: noAgent})
	if err != nil {
		t.Fatal(err)
	}
	defer bare.Close()
	full := newTestInstance(t, "")
	defer full.Close()

	const addJob = "EXEC msdb.dbo.sp_add_job @job_name = N'j'"
	if got := run(t, login(t, bare, "t"), addJob).ErrNums(); len(got) != 1 || got[0] != sqlerr.ProcedureNotFound {
		t.Errorf("sp_add_job without the agent feature: errors %v, want [%d]", got, sqlerr.ProcedureNotFound)
	}
	if bare.Agent() != nil {
		t.Error("an instance without the agent feature has an Agent")
	}
	mustRun(t, login(t, full, "t"), addJob)
	// Views come from the catalog feature in both.
	wantRows(t, login(t, bare, "t"), "SELECT COUNT(*) FROM sys.databases", "4")
}

// secPrep runs as sa before a security script (the engine's
// security_test.go): a database with a full backup, and logins for the
// script to connect as: bob a plain login, dora a dbcreator.
var secPrep = []string{
	`CREATE DATABASE mgc`,
	`ALTER DATABASE mgc SET RECOVERY FULL`,
	`BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH INIT`,
	`CREATE LOGIN bob WITH PASSWORD = N'Bob-pw-1'`,
	`CREATE LOGIN dora WITH PASSWORD = N'Dora-pw-1'`,
	`ALTER SERVER ROLE dbcreator ADD MEMBER dora`,
}

var secPasswords = map[string]string{"bob": "Bob-pw-1", "dora": "Dora-pw-1"}

// runScriptsAs runs script tests on a fresh instance with every feature,
// prepared by secPrep as sa and then connected as user.
func runScriptsAs(t *testing.T, user string, tests []enginetest.ScriptTest) {
	t.Helper()
	enginetest.RunSessions(t, tests, func(t *testing.T) enginetest.Session {
		inst, err := engine.New(engine.Config{Name: "SIMSQL01", SAPassword: "Pa55w.rd!", NoSync: true,
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

// TestPermissionsOfPlainLogin: the log-shipping procedures are sysadmin's
// (15247), the Agent's msdb procedures refuse a login that is not in msdb
// (229).
func TestPermissionsOfPlainLogin(t *testing.T) {
	runScriptsAs(t, "bob", []enginetest.ScriptTest{
		{Name: "log shipping procedures 15247", Assertions: []enginetest.Assertion{
			{Query: `DECLARE @j uniqueidentifier, @p uniqueidentifier; EXEC master.dbo.sp_add_log_shipping_primary_database N'mgc', N'C:\ls', N'\\fs\ls', N'LSBackup_mgc', 60, @backup_job_id = @j OUTPUT, @primary_id = @p OUTPUT`,
				ErrNumbers: []int32{sqlerr.NoPermissionForAction}},
			{Query: `EXEC master.dbo.sp_delete_log_shipping_primary_database N'mgc'`, ErrNumbers: []int32{sqlerr.NoPermissionForAction}},
			{Query: `EXEC master.dbo.sp_add_log_shipping_alert_job`, ErrNumbers: []int32{sqlerr.NoPermissionForAction}},
		}},
		{Name: "agent procedures 229", Assertions: []enginetest.Assertion{
			{Query: `EXEC msdb.dbo.sp_start_job @job_name = N'LSBackup_mgc'`, ErrNumbers: []int32{sqlerr.ObjectPermissionDenied}},
			{Query: `EXEC msdb.dbo.sp_add_job @job_name = N'x'`, ErrNumbers: []int32{sqlerr.ObjectPermissionDenied}},
		}},
	})
}

// TestPermissionsOfDbcreator: dbcreator does not make a login an Agent
// operator (229).
func TestPermissionsOfDbcreator(t *testing.T) {
	runScriptsAs(t, "dora", []enginetest.ScriptTest{
		{Name: "dbcreator", Assertions: []enginetest.Assertion{
			{Query: "SELECT IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('dbcreator')", Rows: []string{"0|1"}},
			{Query: `EXEC msdb.dbo.sp_start_job @job_name = N'x'`, ErrNumbers: []int32{sqlerr.ObjectPermissionDenied}},
		}},
	})
}

// TestScriptsDMServerServices: with the Agent feature the Agent's service
// row is Running (the engine's own TestScriptsCatalog has no Agent).
func TestScriptsDMServerServices(t *testing.T) {
	runScripts(t, []enginetest.ScriptTest{
		{Name: "dm_server_services", Assertions: []enginetest.Assertion{{Query: "SELECT servicename, status, status_desc, service_account FROM sys.dm_server_services ORDER BY servicename", Rows: []string{"SQL Server (MSSQLSERVER)|4|Running|NT Service\\MSSQLSERVER", "SQL Server Agent (MSSQLSERVER)|4|Running|CONTOSO\\sqlagent"}}}},
	})
}

func scalarOf(t *testing.T, s *engine.Session, q string) string {
	t.Helper()
	rows := rowsOf(t, s, q)
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows, want 1", q, len(rows))
	}
	return rows[0]
}

// sys.dm_server_services follows the Agent: stopped, it says so.
func TestServerServicesAgentStopped(t *testing.T) {
	p, err := engine.New(engine.Config{Name: "PRIMARY", SAPassword: "Pa55w.rd!", NoSync: true,
		ServiceAccount: `CONTOSO\sqlsvc`, AgentAccount: `CONTOSO\sqlagent`, Features: features.Default()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer p.Close()
	s := login(t, p, "t")
	q := "SELECT status_desc FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server Agent%'"
	if p.Agent() == nil {
		t.Fatal("no agent")
	}
	if err := p.Agent().Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := scalarOf(t, s, q); got != "Running" {
		t.Fatalf("agent %s, want Running", got)
	}
	if err := p.Agent().Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := scalarOf(t, s, q); got != "Stopped" {
		t.Fatalf("agent %s, want Stopped", got)
	}
}
