package msdb_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// lsWorld is two instances in one process sharing a backup share, as the
// failback's log shipping has them: SQLP01 (primary) writes log backups to
// \\fileserver\pchat, SQLB01 (secondary) copies them to D:\LSCopy and
// restores them.
type lsWorld struct {
	clock   *agent.ManualClock
	share   string // host folder behind \\fileserver\pchat
	copyDir string // host folder behind D:\LSCopy on the secondary
	p, b    *engine.Instance
	ps, bs  *engine.Session
	pAgent  string
	bAgent  string
}

const (
	lsShare   = `\\fileserver\pchat`
	lsCopyDir = `D:\LSCopy`
)

func newLSWorld(t *testing.T) *lsWorld {
	t.Helper()
	w := &lsWorld{clock: agent.NewManualClock(agentTestStart), share: t.TempDir(), copyDir: t.TempDir(),
		pAgent: `CONTOSO\sqlagentP`, bAgent: `CONTOSO\sqlagentB`}
	pc, bc := t.TempDir(), t.TempDir()
	open := func(name, svc, agentAcct, cdrive string, extra []hostfs.Mount, rules []hostfs.Rule) *engine.Instance {
		cfg := &hostfs.Config{
			Mounts: append([]hostfs.Mount{{Prefix: `C:\`, Host: cdrive}, {Prefix: lsShare, Host: w.share}}, extra...),
			Rules:  append([]hostfs.Rule{{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite}}, rules...),
		}
		inst, err := engine.New(engine.Config{Name: name, DataDir: t.TempDir(), SAPassword: "Pa55w.rd!", NoSync: true, ServiceAccount: svc,
			AgentAccount: agentAcct, AgentRunning: true, AgentClock: w.clock, Files: cfg, Features: features.Default()})
		if err != nil {
			t.Fatalf("New %s: %v", name, err)
		}
		t.Cleanup(func() { inst.Close() })
		return inst
	}
	w.p = open("SQLP01", `CONTOSO\sqlsvcP`, w.pAgent, pc, nil, []hostfs.Rule{
		{Account: `CONTOSO\sqlsvcP`, Prefix: lsShare, Access: hostfs.ReadWrite},
		{Account: w.pAgent, Prefix: lsShare, Access: hostfs.ReadWrite},
	})
	w.b = open("SQLB01", `CONTOSO\sqlsvcB`, w.bAgent, bc, []hostfs.Mount{{Prefix: lsCopyDir, Host: w.copyDir}}, []hostfs.Rule{
		{Account: `CONTOSO\sqlsvcB`, Prefix: lsShare, Access: hostfs.Read},
		{Account: w.bAgent, Prefix: lsShare, Access: hostfs.Read},
		{Account: w.bAgent, Prefix: lsCopyDir, Access: hostfs.ReadWrite},
		{Account: `CONTOSO\sqlsvcB`, Prefix: lsCopyDir, Access: hostfs.ReadWrite},
	})
	w.ps, w.bs = login(t, w.p, "t"), login(t, w.b, "t")
	return w
}

// configure initialises the secondary and configures log shipping with
// exactly the T-SQL the failback engine sends.
func (w *lsWorld) configure(t *testing.T) { w.configureMode(t, false) }

// configureMode configures log shipping; standby restores WITH STANDBY so
// the secondary can be read between restores.
func (w *lsWorld) configureMode(t *testing.T, standby bool) {
	t.Helper()
	mustRun(t, w.ps, "CREATE DATABASE mgc")
	mustRun(t, w.ps, "USE mgc; CREATE TABLE dbo.Msgs (id int IDENTITY PRIMARY KEY, body nvarchar(100) NOT NULL); INSERT dbo.Msgs (body) VALUES (N'before-init'); USE master")
	init := lsShare + `\mgc_init.bak`
	q, err := failback.BackupDatabaseSQL(failback.BackupSpec{Database: "mgc", Path: init, Name: "mgc-init"})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, w.ps, q)
	rs := failback.RestoreSpec{Database: "mgc", Path: init, File: 1, Replace: true}
	if standby {
		rs.StandbyFile = lsCopyDir + `\mgc_init.tuf`
	}
	q, err = failback.RestoreDatabaseSQL(rs)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, w.bs, q)
	q, err = failback.AddLogShippingPrimarySQL(failback.LogShippingPrimary{Database: "mgc", BackupDirectory: lsShare, BackupShare: lsShare,
		BackupJob: "LSBackup_mgc", ScheduleName: "LSBackupSchedule_mgc", ScheduleMinutes: 15, RetentionMinutes: 4320,
		BackupThresholdMinutes: 60, StartDate: 20260301})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, w.ps, q)
	q, err = failback.AddLogShippingSecondarySQL(failback.LogShippingSecondary{PrimaryServer: "SQLP01", Database: "mgc",
		BackupSourceDirectory: lsShare, CopyDirectory: lsCopyDir, CopyJob: "LSCopy_SQLP01_mgc", RestoreJob: "LSRestore_SQLP01_mgc",
		CopyScheduleName: "LSCopySchedule_SQLP01_mgc", RestoreScheduleName: "LSRestoreSchedule_SQLP01_mgc", ScheduleMinutes: 15,
		RetentionMinutes: 4320, RestoreThresholdMinutes: 45, StartDate: 20260301, Standby: standby})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, w.bs, q)
	mustRun(t, w.ps, failback.AddLogShippingPrimarySecondarySQL("mgc", "SQLB01", "mgc"))
}

func (w *lsWorld) insert(t *testing.T, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		mustRun(t, w.ps, "INSERT mgc.dbo.Msgs (body) VALUES ("+sqltypes.Literal(b)+")")
	}
}

// startJob runs a job with sp_start_job (asynchronous, as on a server) and
// waits for its outcome row in msdb.
func startJob(t *testing.T, inst *engine.Instance, s *engine.Session, name string) agent.HistoryRow {
	t.Helper()
	h := inst.AgentHost()
	j, ok := h.Scheduler().JobByName(name)
	if !ok {
		t.Fatalf("no job %s", name)
	}
	mark := 0
	for _, r := range h.Scheduler().History(j.JobID) {
		mark = max(mark, r.InstanceID)
	}
	mustRun(t, s, "EXEC msdb.dbo.sp_start_job @job_name = "+sqltypes.Literal(name))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := h.WaitOutcome(ctx, j.JobID, mark)
	if err != nil {
		t.Fatalf("job %s: %v", name, err)
	}
	// Each run at its own second, so log backup file names differ.
	w := h.Clock().(*agent.ManualClock)
	w.Advance(time.Second)
	return out
}

// secondaryBodies reads the secondary's rows from the engine's state (the
// database is RESTORING, so no session can read it).
func secondaryBodies(t *testing.T, inst *engine.Instance) []string {
	t.Helper()
	db := inst.DB("mgc")
	if db == nil {
		t.Fatal("no mgc on the secondary")
	}
	if st := db.Meta().State; st != engine.StateRestoring {
		t.Fatalf("secondary mgc is %v", st)
	}
	rows, ok := db.CommittedRows("dbo", "msgs")
	if !ok {
		t.Fatal("no dbo.Msgs on the secondary")
	}
	var out []string
	for _, r := range rows {
		out = append(out, r[1].(string))
	}
	slices.Sort(out)
	return out
}

func wantBodies(t *testing.T, inst *engine.Instance, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := secondaryBodies(t, inst); !slices.Equal(got, want) {
		t.Fatalf("secondary rows %q, want %q", got, want)
	}
}

func wantOutcome(t *testing.T, job string, out agent.HistoryRow, status int) {
	t.Helper()
	if out.RunStatus != status {
		t.Fatalf("job %s: run_status %d, want %d: %s", job, out.RunStatus, status, out.Message)
	}
}

func TestLogShippingEndToEnd(t *testing.T) {
	w := newLSWorld(t)
	w.configure(t)

	// The configuration the failback engine reads back.
	wantRows(t, w.ps, failback.LogShippingPrimariesSQL, "mgc|LSBackup_mgc|SQLB01|mgc")
	wantRows(t, w.bs, failback.LogShippingSecondariesSQL, "SQLP01|mgc|mgc")
	wantRows(t, w.ps, "SELECT j.enabled, c.name, s.subsystem FROM msdb.dbo.sysjobs j JOIN msdb.dbo.syscategories c ON c.category_id = j.category_id JOIN msdb.dbo.sysjobsteps s ON s.job_id = j.job_id",
		"1|Log Shipping Backup|CmdExec")
	wantRows(t, w.bs, "SELECT j.name, j.enabled FROM msdb.dbo.sysjobs j ORDER BY j.name", "LSCopy_SQLP01_mgc|1", "LSRestore_SQLP01_mgc|1")

	// Round 1: sp_start_job, job by job.
	w.insert(t, "r1-a", "r1-b")
	wantOutcome(t, "backup", startJob(t, w.p, w.ps, "LSBackup_mgc"), agent.StatusSucceeded)
	trn := rowsOf(t, w.ps, "SELECT last_backup_file FROM msdb.dbo.log_shipping_monitor_primary WHERE primary_database = N'mgc'")[0]
	if want := lsShare + `\mgc_` + agentTestStart.UTC().Format("20060102150405") + ".trn"; trn != want {
		t.Fatalf("last backup file %q, want %q", trn, want)
	}
	if _, err := os.Stat(filepath.Join(w.share, filepath.Base(strings.ReplaceAll(trn, `\`, "/")))); err != nil {
		t.Fatalf("log backup not on the share: %v", err)
	}
	wantOutcome(t, "copy", startJob(t, w.b, w.bs, "LSCopy_SQLP01_mgc"), agent.StatusSucceeded)
	wantOutcome(t, "restore", startJob(t, w.b, w.bs, "LSRestore_SQLP01_mgc"), agent.StatusSucceeded)
	wantBodies(t, w.b, "before-init", "r1-a", "r1-b")
	m := rowsOf(t, w.bs, failback.SecondaryMonitorSQL("mgc"))[0]
	if !strings.Contains(m, lsCopyDir+`\mgc_`) || strings.Contains(m, "NULL") {
		t.Fatalf("secondary monitor %q", m)
	}
	wantRows(t, w.bs, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_history_detail WHERE agent_type = 2 AND session_status = 2", "1")

	// Round 2: the schedules run the jobs as the clock passes them.
	w.insert(t, "r2-a")
	w.clock.Advance(45 * time.Minute)
	wantBodies(t, w.b, "before-init", "r1-a", "r1-b", "r2-a")
	wantRows(t, w.ps, "SELECT COUNT(*) FROM msdb.dbo.sysjobhistory WHERE step_id = 0 AND run_status = 1", "4")

	// A .trn missing from the copy folder: the next restore fails with
	// 4305 and the monitor's error detail has SQL Server's text.
	w.insert(t, "r3-a")
	wantOutcome(t, "backup", startJob(t, w.p, w.ps, "LSBackup_mgc"), agent.StatusSucceeded)
	w.insert(t, "r3-b")
	wantOutcome(t, "backup", startJob(t, w.p, w.ps, "LSBackup_mgc"), agent.StatusSucceeded)
	wantOutcome(t, "copy", startJob(t, w.b, w.bs, "LSCopy_SQLP01_mgc"), agent.StatusSucceeded)
	files, err := os.ReadDir(w.copyDir)
	if err != nil {
		t.Fatal(err)
	}
	var trns []string
	for _, f := range files {
		if strings.HasSuffix(f.Name(), ".trn") {
			trns = append(trns, f.Name())
		}
	}
	slices.Sort(trns)
	gap := trns[len(trns)-2]
	saved, err := os.ReadFile(filepath.Join(w.copyDir, gap))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(w.copyDir, gap)); err != nil {
		t.Fatal(err)
	}
	out := startJob(t, w.b, w.bs, "LSRestore_SQLP01_mgc")
	wantOutcome(t, "restore", out, agent.StatusFailed)
	wantRows(t, w.bs, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_error_detail WHERE agent_type = 2 AND database_name = N'mgc' AND message LIKE N'The log in this backup set begins at LSN %, which is too recent to apply to the database. An earlier log backup that includes LSN % can be restored.'", "1")
	wantRows(t, w.bs, "SELECT message FROM msdb.dbo.log_shipping_monitor_error_detail WHERE sequence_number = 2", "RESTORE LOG is terminating abnormally.")
	step := rowsOf(t, w.bs, "SELECT TOP (1) message FROM msdb.dbo.sysjobhistory WHERE step_id = 1 ORDER BY instance_id DESC")[0]
	if !strings.Contains(step, "too recent to apply") || !strings.HasSuffix(step, "The step failed.") {
		t.Fatalf("restore step message %q", step)
	}
	wantBodies(t, w.b, "before-init", "r1-a", "r1-b", "r2-a")
	// The file back in place: the chain heals.
	if err := os.WriteFile(filepath.Join(w.copyDir, gap), saved, 0o644); err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, "restore", startJob(t, w.b, w.bs, "LSRestore_SQLP01_mgc"), agent.StatusSucceeded)
	wantBodies(t, w.b, "before-init", "r1-a", "r1-b", "r2-a", "r3-a", "r3-b")

	// The Agent account loses read on the share: the copy job fails with
	// the operating system's error in its history.
	fs, err := w.b.Files()
	if err != nil {
		t.Fatal(err)
	}
	if err := fs.SetAccess(w.bAgent, lsShare, 0); err != nil {
		t.Fatal(err)
	}
	w.insert(t, "r4-a")
	wantOutcome(t, "backup", startJob(t, w.p, w.ps, "LSBackup_mgc"), agent.StatusSucceeded)
	out = startJob(t, w.b, w.bs, "LSCopy_SQLP01_mgc")
	wantOutcome(t, "copy", out, agent.StatusFailed)
	step = rowsOf(t, w.bs, "SELECT TOP (1) message FROM msdb.dbo.sysjobhistory WHERE step_id = 1 ORDER BY instance_id DESC")[0]
	if !strings.Contains(step, `Executed as user: CONTOSO\sqlagentB.`) || !strings.Contains(step, "Operating system error 5(Access is denied.).") {
		t.Fatalf("copy step message %q", step)
	}
	wantRows(t, w.bs, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_error_detail WHERE agent_type = 1 AND message LIKE N'%Operating system error 5(Access is denied.).%'", "1")

	// Read access back: everything catches up; then recover the secondary
	// and read it like a client would after a failover.
	if err := fs.SetAccess(w.bAgent, lsShare, hostfs.Read); err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, "copy", startJob(t, w.b, w.bs, "LSCopy_SQLP01_mgc"), agent.StatusSucceeded)
	wantOutcome(t, "restore", startJob(t, w.b, w.bs, "LSRestore_SQLP01_mgc"), agent.StatusSucceeded)
	mustRun(t, w.bs, "RESTORE DATABASE mgc WITH RECOVERY")
	wantRows(t, w.bs, "SELECT body FROM mgc.dbo.Msgs ORDER BY id", "before-init", "r1-a", "r1-b", "r2-a", "r3-a", "r3-b", "r4-a")

	// The monitor procedure sees both sides.
	r := mustRun(t, w.bs, "EXEC master.dbo.sp_help_log_shipping_monitor")
	if len(r.Sets) != 1 || len(r.Last().Rows) != 1 || r.Last().Rows[0][1] != false || r.Last().Rows[0][3] != "mgc" {
		t.Fatalf("sp_help_log_shipping_monitor: %+v", r.Sets)
	}
}

func TestLogShippingProcErrors(t *testing.T) {
	inst := agentInstance(t, "", agent.NewManualClock(agentTestStart), true)
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, "CREATE DATABASE simpledb; ALTER DATABASE simpledb SET RECOVERY SIMPLE; CREATE DATABASE mgc")
	primary := func(db string) string {
		q, err := failback.AddLogShippingPrimarySQL(failback.LogShippingPrimary{Database: db, BackupShare: lsShare, BackupJob: "LSBackup_" + db,
			ScheduleName: "LSBackupSchedule_" + db, ScheduleMinutes: 15, RetentionMinutes: 4320, BackupThresholdMinutes: 60, StartDate: 20260301})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	for _, tc := range []struct {
		name string
		sql  string
		want []int32
	}{
		// The failback's return-code check raises its own error after the
		// procedure's and ends the batch before the schedule.
		{"simple recovery", primary("simpledb"), []int32{32015, 50000}},
		{"missing database", primary("nosuchdb"), []int32{15010, 50000}},
		{"unknown primary", "EXEC master.dbo.sp_delete_log_shipping_primary_database @database = N'mgc'", []int32{32010}},
		{"unknown secondary database", "EXEC sp_delete_log_shipping_secondary_database mgc", []int32{32014}},
		{"secondary before its primary", "EXEC master.dbo.sp_add_log_shipping_secondary_database @secondary_database = N'mgc', @primary_server = N'P', @primary_database = N'mgc'", []int32{32023}},
		{"unknown secondary primary", "EXEC master.dbo.sp_delete_log_shipping_secondary_primary @primary_server = N'P', @primary_database = N'mgc'", []int32{32023}},
		{"missing output parameter", "EXEC master.dbo.sp_add_log_shipping_primary_database N'mgc', N'd', N's', N'j', 60", []int32{201}},
		{"bad compression", "DECLARE @j uniqueidentifier, @p uniqueidentifier; EXEC master.dbo.sp_add_log_shipping_primary_database N'mgc', N'd', N's', N'j', 60, @backup_job_id = @j OUTPUT, @primary_id = @p OUTPUT, @backup_compression = 7", []int32{14266}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, s, tc.sql).ErrNums(); !slices.Equal(got, tc.want) {
				t.Fatalf("errors %v, want %v", got, tc.want)
			}
		})
	}
	wantRows(t, s, "SELECT (SELECT COUNT(*) FROM msdb.dbo.sysschedules) + (SELECT COUNT(*) FROM msdb.dbo.sysjobs)", "0")
	// The OUTPUT ids are the rows' ids.
	wantRows(t, s, `DECLARE @j uniqueidentifier, @p uniqueidentifier, @rc int;
EXEC @rc = master.dbo.sp_add_log_shipping_primary_database N'mgc', N'C:\ls', N'\\fs\ls', N'LSBackup_mgc', 60, @backup_job_id = @j OUTPUT, @primary_id = @p OUTPUT;
SELECT @rc, (SELECT COUNT(*) FROM msdb.dbo.log_shipping_primary_databases WHERE primary_id = @p AND backup_job_id = @j), (SELECT enabled FROM msdb.dbo.sysjobs WHERE job_id = @j)`, "0|1|0")
}

func TestLogShippingStateSurvivesRestart(t *testing.T) {
	clock := agent.NewManualClock(agentTestStart)
	dir := t.TempDir()
	inst := agentInstance(t, dir, clock, true)
	s := login(t, inst, "t")
	mustRun(t, s, `CREATE DATABASE mgc; BACKUP DATABASE mgc TO DISK = N'C:\mgc.bak' WITH INIT; EXEC master.dbo.xp_create_subdir N'C:\ls'`)
	q, err := failback.AddLogShippingPrimarySQL(failback.LogShippingPrimary{Database: "mgc", BackupDirectory: `C:\ls`, BackupShare: `\\fs\ls`,
		BackupJob: "LSBackup_mgc", ScheduleName: "LSBackupSchedule_mgc", ScheduleMinutes: 15, RetentionMinutes: 4320, BackupThresholdMinutes: 60, StartDate: 20260301})
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, s, q)
	out, err := inst.RunAgentJob(context.Background(), "LSBackup_mgc")
	if err != nil || out.RunStatus != agent.StatusSucceeded {
		t.Fatalf("backup job: %+v %v", out, err)
	}
	monitor := rowsOf(t, s, failback.PrimaryMonitorSQL("mgc"))
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	inst = agentInstance(t, dir, clock, true)
	defer inst.Close()
	s = login(t, inst, "t")
	wantRows(t, s, failback.PrimaryMonitorSQL("mgc"), monitor...)
	wantRows(t, s, "SELECT COUNT(*), MAX(session_id) FROM msdb.dbo.log_shipping_monitor_history_detail WHERE session_status = 2", "1|1")
	wantRows(t, s, "SELECT step_id, run_status FROM msdb.dbo.sysjobhistory ORDER BY instance_id", "1|1", "0|1")
	out, err = inst.RunAgentJob(context.Background(), "LSBackup_mgc")
	if err != nil || out.RunStatus != agent.StatusSucceeded {
		t.Fatalf("backup job after restart: %+v %v", out, err)
	}
	wantRows(t, s, "SELECT MAX(session_id) FROM msdb.dbo.log_shipping_monitor_history_detail", "2")
	wantRows(t, s, "SELECT last_backup_file FROM msdb.dbo.log_shipping_primary_databases", `C:\ls\mgc_`+agentTestStart.Add(time.Minute).UTC().Format("20060102150405")+".trn")
}

func TestLogShippingStandbySecondaryIsReadable(t *testing.T) {
	w := newLSWorld(t)
	w.configureMode(t, true)
	wantRows(t, w.bs, "SELECT state_desc, is_in_standby FROM sys.databases WHERE name = N'mgc'", "ONLINE|1")
	wantRows(t, w.bs, "SELECT restore_mode, disconnect_users FROM msdb.dbo.log_shipping_secondary_databases", "1|1")
	w.insert(t, "s1")
	w.clock.Advance(31 * time.Minute)
	wantRows(t, w.bs, "SELECT body FROM mgc.dbo.Msgs ORDER BY id", "before-init", "s1")
	// A reader in the standby database is disconnected by the next restore
	// (@disconnect_users = 1), and the restore goes on.
	reader := login(t, w.b, "reader")
	mustRun(t, reader, "USE mgc")
	w.insert(t, "s2")
	w.clock.Advance(30 * time.Minute)
	if !reader.Killed() {
		t.Fatal("the standby reader was not disconnected")
	}
	wantRows(t, w.bs, "SELECT body FROM mgc.dbo.Msgs ORDER BY id", "before-init", "s1", "s2")
}

func TestLogShippingHistoryRetention(t *testing.T) {
	w := newLSWorld(t)
	w.configure(t)
	wantOutcome(t, "backup", startJob(t, w.p, w.ps, "LSBackup_mgc"), agent.StatusSucceeded)
	first := rowsOf(t, w.ps, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_history_detail WHERE session_id = 1")[0]
	if first == "0" {
		t.Fatal("no history for the first session")
	}
	// The failback keeps 5760 minutes (four days) of history: a run five
	// days later purges the first session's rows.
	// Both Agents stopped meanwhile: missed occurrences do not run late.
	for _, inst := range []*engine.Instance{w.p, w.b} {
		if err := inst.Agent().Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	w.clock.Advance(5 * 24 * time.Hour)
	if err := w.p.Agent().Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantOutcome(t, "backup", startJob(t, w.p, w.ps, "LSBackup_mgc"), agent.StatusSucceeded)
	wantRows(t, w.ps, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_history_detail WHERE session_id = 1", "0")
	wantRows(t, w.ps, "SELECT MIN(session_id), MAX(session_id) FROM msdb.dbo.log_shipping_monitor_history_detail", "2|2")
}
