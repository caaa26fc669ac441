package msdb

import (
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqllogship"
	"github.com/pchatdr/harness/sqlerr"
)

// The log-shipping master procedures (reference §7.5, §7.6): parameters,
// defaults, OUTPUT ids, return codes and errors as SQL Server has them.
// They keep the configuration in msdb's log_shipping_* tables and create
// the backup, copy and restore jobs disabled, each with one CmdExec step
// that runs sqllogship.exe, as SQL Server does; the Agent executor runs
// those steps with the simulator's own log-shipping agent (logship_jobs.go).

func installLogShippingProcs(r *engine.Registry) {
	n500 := nv(500)
	r.Procedure("sp_add_log_shipping_primary_database", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@database", tSys), pReq("@backup_directory", n500), pReq("@backup_share", n500), pReq("@backup_job_name", tSys),
		pReq("@backup_retention_period", tInt), pStr("@monitor_server", tSys), pBit("@monitor_server_security_mode", true),
		pStr("@monitor_server_login", tSys), pStr("@monitor_server_password", tSys), pInt("@backup_threshold", 60),
		pInt("@threshold_alert", 14420), pBit("@threshold_alert_enabled", false), {Name: "@history_retention_period", Type: tInt, HasDefault: true},
		{Name: "@backup_job_id", Type: tGUID, Output: true}, {Name: "@primary_id", Type: tGUID, Output: true},
		pBit("@overwrite", false), pBit("@ignoreremotemonitor", false), pTiny("@backup_compression", 2), pStr("@primary_connection_options", nv(4000)),
	}, Run: spAddLSPrimaryDatabase})
	r.Procedure("sp_add_log_shipping_primary_secondary", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@primary_database", tSys), pReq("@secondary_server", tSys), pReq("@secondary_database", tSys), pBit("@overwrite", false),
	}, Run: spAddLSPrimarySecondary})
	r.Procedure("sp_delete_log_shipping_primary_secondary", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@primary_database", tSys), pReq("@secondary_server", tSys), pReq("@secondary_database", tSys),
	}, Run: spDeleteLSPrimarySecondary})
	r.Procedure("sp_delete_log_shipping_primary_database", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@database", tSys), pBit("@ignoreremotemonitor", false),
	}, Run: spDeleteLSPrimaryDatabase})
	r.Procedure("sp_add_log_shipping_secondary_primary", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@primary_server", tSys), pReq("@primary_database", tSys), pReq("@backup_source_directory", n500),
		pReq("@backup_destination_directory", n500), pReq("@copy_job_name", tSys), pReq("@restore_job_name", tSys),
		{Name: "@file_retention_period", Type: tInt, HasDefault: true}, pStr("@monitor_server", tSys), pBit("@monitor_server_security_mode", true),
		pStr("@monitor_server_login", tSys), pStr("@monitor_server_password", tSys),
		{Name: "@copy_job_id", Type: tGUID, Output: true}, {Name: "@restore_job_id", Type: tGUID, Output: true},
		{Name: "@secondary_id", Type: tGUID, Output: true}, pBit("@overwrite", false), pBit("@ignoreremotemonitor", false),
	}, Run: spAddLSSecondaryPrimary})
	r.Procedure("sp_add_log_shipping_secondary_database", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@secondary_database", tSys), pReq("@primary_server", tSys), pReq("@primary_database", tSys), pInt("@restore_delay", 0),
		pBit("@restore_all", true), pBit("@restore_mode", false), pBit("@disconnect_users", false), pInt("@block_size", -1),
		pInt("@buffer_count", -1), {Name: "@max_transfer_size", Type: tInt, HasDefault: true}, pInt("@restore_threshold", 45),
		pInt("@threshold_alert", 14421), pBit("@threshold_alert_enabled", true), {Name: "@history_retention_period", Type: tInt, HasDefault: true},
		pBit("@overwrite", false), pBit("@ignoreremotemonitor", false),
	}, Run: spAddLSSecondaryDatabase})
	r.Procedure("sp_delete_log_shipping_secondary_database", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@secondary_database", tSys), pBit("@ignoreremotemonitor", false),
	}, Run: spDeleteLSSecondaryDatabase})
	r.Procedure("sp_delete_log_shipping_secondary_primary", engine.SystemProc{Params: []engine.ProcParam{
		pReq("@primary_server", tSys), pReq("@primary_database", tSys),
	}, Run: spDeleteLSSecondaryPrimary})
}

// lsSQL runs T-SQL against msdb on behalf of a procedure call.
func lsSQL(pc *engine.ProcCall, text string) (*sqlSink, error) {
	return systemSQL(pc.Context(), pc.Instance(), "msdb", text)
}

func msgText(n int32, args ...any) string { return sqlerr.New(n, args...).Message }

// addLSJob creates a disabled log-shipping job with its sqllogship step.
// With overwrite, a job of that name is replaced (SQL Server's @overwrite
// re-creates the configuration's jobs).
func addLSJob(s *agent.Scheduler, name, category, desc, stepName, kind string, id GUID, server string, overwrite bool) (agent.Job, error) {
	if old, ok := s.JobByName(name); ok && overwrite {
		if err := deleteJobAndSchedules(s, old.JobID, true); err != nil {
			return agent.Job{}, err
		}
	}
	j, err := s.AddJob(agent.Job{Name: name, Enabled: false, Description: desc, Category: category, Owner: "sa",
		Steps: []agent.Step{{StepID: 1, StepName: stepName, Subsystem: "CmdExec", Command: sqllogship.Command(kind, id, server)}}})
	if err != nil {
		return agent.Job{}, agentError(err, "", "")
	}
	return j, nil
}

// dropJobIfAny deletes a job (and its unused schedules) if it still exists.
func dropJobIfAny(s *agent.Scheduler, id GUID) error {
	if _, ok := s.Job(id); !ok {
		return nil
	}
	return deleteJobAndSchedules(s, id, true)
}

func retention(pc *engine.ProcCall, name string) int64 {
	if v, ok := pc.Arg(name).(int64); ok {
		return v
	}
	return 14420
}

func monitorServer(pc *engine.ProcCall) (string, bool) {
	if v := procStr(pc, "@monitor_server"); v != "" {
		return v, true
	}
	return pc.Instance().Name(), false
}

func spAddLSPrimaryDatabase(pc *engine.ProcCall) (int32, error) {
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	inst := pc.Instance()
	dbName := procStr(pc, "@database")
	db := inst.DB(dbName)
	if db == nil {
		return 1, newErr(sqlerr.DatabaseNotFoundProc, dbName)
	}
	dbName = db.Name()
	if db.Meta().Recovery == engine.RecoverySimple {
		return 1, newErr(sqlerr.LSPrimarySimpleRecovery, dbName)
	}
	if c := procInt(pc, "@backup_compression"); c < 0 || c > 2 {
		return 1, newErr(sqlerr.AgentInvalidValue, "@backup_compression", "0, 1, 2")
	}
	overwrite := pc.Arg("@overwrite") == true
	sink, err := lsSQL(pc, "SELECT primary_id, backup_job_id FROM msdb.dbo.log_shipping_primary_databases WHERE primary_database = "+agentLit(dbName))
	if err != nil {
		return 1, err
	}
	primaryID := newGUID()
	if rows := sink.rows(0); len(rows) > 0 {
		if !overwrite {
			return 1, newErr(sqlerr.LSPrimaryExists, dbName)
		}
		primaryID = vGUID(rows[0][0])
		if err := dropJobIfAny(s, vGUID(rows[0][1])); err != nil {
			return 1, err
		}
	}
	server := inst.Name()
	job, err := addLSJob(s, procStr(pc, "@backup_job_name"), "Log Shipping Backup", msgText(sqlerr.LSBackupJobDescription, server+"."+dbName), msgText(sqlerr.LSBackupStepDescription),
		"Backup", primaryID, server, overwrite)
	if err != nil {
		return 1, err
	}
	mon, userMon := monitorServer(pc)
	secMode := pc.Arg("@monitor_server_security_mode") != false
	text := fmt.Sprintf(`SET XACT_ABORT ON; BEGIN TRANSACTION;
DELETE msdb.dbo.log_shipping_primary_databases WHERE primary_id = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_primary WHERE primary_id = %[1]s;
INSERT msdb.dbo.log_shipping_primary_databases (primary_id, primary_database, backup_directory, backup_share, backup_retention_period,
	backup_job_id, monitor_server, monitor_server_security_mode, user_specified_monitor, last_backup_file, last_backup_date, backup_compression)
	VALUES (%[1]s, %[2]s, %[3]s, %[4]s, %[5]s, %[6]s, %[7]s, %[8]s, %[9]s, NULL, NULL, %[10]s);
INSERT msdb.dbo.log_shipping_monitor_primary (primary_id, primary_server, primary_database, backup_threshold, threshold_alert,
	threshold_alert_enabled, last_backup_file, last_backup_date, last_backup_date_utc, history_retention_period)
	VALUES (%[1]s, %[11]s, %[2]s, %[12]s, %[13]s, %[14]s, NULL, NULL, NULL, %[15]s);
COMMIT TRANSACTION;`,
		agentLit(primaryID), agentLit(dbName), agentLit(procStr(pc, "@backup_directory")), agentLit(procStr(pc, "@backup_share")),
		agentLit(procInt(pc, "@backup_retention_period")), agentLit(job.JobID), agentLit(mon), agentLit(secMode), agentLit(userMon),
		agentLit(procInt(pc, "@backup_compression")), agentLit(server), agentLit(procInt(pc, "@backup_threshold")), agentLit(procInt(pc, "@threshold_alert")),
		agentLit(pc.Arg("@threshold_alert_enabled") == true), agentLit(retention(pc, "@history_retention_period")))
	if _, err := lsSQL(pc, text); err != nil {
		_ = dropJobIfAny(s, job.JobID)
		return 1, err
	}
	pc.SetOutput("@backup_job_id", job.JobID)
	pc.SetOutput("@primary_id", primaryID)
	return 0, nil
}

// primaryID finds a log-shipping primary database's id (32010 if none).
func primaryEntry(pc *engine.ProcCall, db string) (id, job GUID, name string, err error) {
	sink, err := lsSQL(pc, "SELECT primary_id, backup_job_id, primary_database FROM msdb.dbo.log_shipping_primary_databases WHERE primary_database = "+agentLit(db))
	if err != nil {
		return GUID{}, GUID{}, "", err
	}
	rows := sink.rows(0)
	if len(rows) == 0 {
		return GUID{}, GUID{}, "", newErr(sqlerr.LSNotPrimary, db)
	}
	return vGUID(rows[0][0]), vGUID(rows[0][1]), vStr(rows[0][2]), nil
}

func spAddLSPrimarySecondary(pc *engine.ProcCall) (int32, error) {
	pdb, ss, sdb := procStr(pc, "@primary_database"), procStr(pc, "@secondary_server"), procStr(pc, "@secondary_database")
	id, _, pname, err := primaryEntry(pc, pdb)
	if err != nil {
		return 1, err
	}
	where := fmt.Sprintf("primary_id = %s AND secondary_server = %s AND secondary_database = %s", agentLit(id), agentLit(ss), agentLit(sdb))
	sink, err := lsSQL(pc, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_primary_secondaries WHERE "+where)
	if err != nil {
		return 1, err
	}
	if vInt(sink.rows(0)[0][0]) > 0 {
		if pc.Arg("@overwrite") == true {
			return 0, nil
		}
		return 1, newErr(sqlerr.LSSecondaryExists, ss, sdb, pname)
	}
	_, err = lsSQL(pc, fmt.Sprintf("INSERT msdb.dbo.log_shipping_primary_secondaries (primary_id, secondary_server, secondary_database) VALUES (%s, %s, %s)",
		agentLit(id), agentLit(ss), agentLit(sdb)))
	if err != nil {
		return 1, err
	}
	return 0, nil
}

func spDeleteLSPrimarySecondary(pc *engine.ProcCall) (int32, error) {
	id, _, _, err := primaryEntry(pc, procStr(pc, "@primary_database"))
	if err != nil {
		return 1, err
	}
	_, err = lsSQL(pc, fmt.Sprintf("DELETE msdb.dbo.log_shipping_primary_secondaries WHERE primary_id = %s AND secondary_server = %s AND secondary_database = %s",
		agentLit(id), agentLit(procStr(pc, "@secondary_server")), agentLit(procStr(pc, "@secondary_database"))))
	if err != nil {
		return 1, err
	}
	return 0, nil
}

func spDeleteLSPrimaryDatabase(pc *engine.ProcCall) (int32, error) {
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	db := procStr(pc, "@database")
	id, job, name, err := primaryEntry(pc, db)
	if err != nil {
		return 1, err
	}
	sink, err := lsSQL(pc, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_primary_secondaries WHERE primary_id = "+agentLit(id))
	if err != nil {
		return 1, err
	}
	if vInt(sink.rows(0)[0][0]) > 0 {
		return 1, newErr(sqlerr.LSPrimaryHasSecondaries, name)
	}
	if err := dropJobIfAny(s, job); err != nil {
		return 1, err
	}
	_, err = lsSQL(pc, fmt.Sprintf(`SET XACT_ABORT ON; BEGIN TRANSACTION;
DELETE msdb.dbo.log_shipping_primary_databases WHERE primary_id = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_primary WHERE primary_id = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_history_detail WHERE agent_id = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_error_detail WHERE agent_id = %[1]s;
COMMIT TRANSACTION;`, agentLit(id)))
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// secondaryEntry finds this secondary's registration of a primary.
func secondaryEntry(pc *engine.ProcCall, server, db string) (id, copyJob, restoreJob GUID, found bool, err error) {
	sink, err := lsSQL(pc, fmt.Sprintf("SELECT secondary_id, copy_job_id, restore_job_id FROM msdb.dbo.log_shipping_secondary WHERE primary_server = %s AND primary_database = %s",
		agentLit(server), agentLit(db)))
	if err != nil {
		return GUID{}, GUID{}, GUID{}, false, err
	}
	rows := sink.rows(0)
	if len(rows) == 0 {
		return GUID{}, GUID{}, GUID{}, false, nil
	}
	return vGUID(rows[0][0]), vGUID(rows[0][1]), vGUID(rows[0][2]), true, nil
}

func spAddLSSecondaryPrimary(pc *engine.ProcCall) (int32, error) {
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	inst := pc.Instance()
	psrv, pdb := procStr(pc, "@primary_server"), procStr(pc, "@primary_database")
	overwrite := pc.Arg("@overwrite") == true
	id, oldCopy, oldRestore, found, err := secondaryEntry(pc, psrv, pdb)
	if err != nil {
		return 1, err
	}
	if found {
		if !overwrite {
			return 1, newErr(sqlerr.LSPrimaryRegistered, psrv, pdb)
		}
		for _, j := range []GUID{oldCopy, oldRestore} {
			if err := dropJobIfAny(s, j); err != nil {
				return 1, err
			}
		}
	} else {
		id = newGUID()
	}
	server := inst.Name()
	copyJob, err := addLSJob(s, procStr(pc, "@copy_job_name"), "Log Shipping Copy", msgText(sqlerr.LSCopyJobDescription, psrv, pdb), msgText(sqlerr.LSCopyStepDescription),
		"Copy", id, server, overwrite)
	if err != nil {
		return 1, err
	}
	restoreJob, err := addLSJob(s, procStr(pc, "@restore_job_name"), "Log Shipping Restore", msgText(sqlerr.LSRestoreJobDescription, psrv, pdb), msgText(sqlerr.LSRestoreStepDescription),
		"Restore", id, server, overwrite)
	if err != nil {
		_ = dropJobIfAny(s, copyJob.JobID)
		return 1, err
	}
	mon, userMon := monitorServer(pc)
	text := fmt.Sprintf(`SET XACT_ABORT ON; BEGIN TRANSACTION;
DELETE msdb.dbo.log_shipping_secondary WHERE secondary_id = %[1]s;
INSERT msdb.dbo.log_shipping_secondary (secondary_id, primary_server, primary_database, backup_source_directory, backup_destination_directory,
	file_retention_period, copy_job_id, restore_job_id, monitor_server, monitor_server_security_mode, user_specified_monitor, last_copied_file, last_copied_date)
	VALUES (%[1]s, %[2]s, %[3]s, %[4]s, %[5]s, %[6]s, %[7]s, %[8]s, %[9]s, %[10]s, %[11]s, NULL, NULL);
COMMIT TRANSACTION;`,
		agentLit(id), agentLit(psrv), agentLit(pdb), agentLit(procStr(pc, "@backup_source_directory")), agentLit(procStr(pc, "@backup_destination_directory")),
		agentLit(retention(pc, "@file_retention_period")), agentLit(copyJob.JobID), agentLit(restoreJob.JobID), agentLit(mon),
		agentLit(pc.Arg("@monitor_server_security_mode") != false), agentLit(userMon))
	if _, err := lsSQL(pc, text); err != nil {
		_ = dropJobIfAny(s, copyJob.JobID)
		_ = dropJobIfAny(s, restoreJob.JobID)
		return 1, err
	}
	pc.SetOutput("@copy_job_id", copyJob.JobID)
	pc.SetOutput("@restore_job_id", restoreJob.JobID)
	pc.SetOutput("@secondary_id", id)
	return 0, nil
}

func spAddLSSecondaryDatabase(pc *engine.ProcCall) (int32, error) {
	inst := pc.Instance()
	sdb, psrv, pdb := procStr(pc, "@secondary_database"), procStr(pc, "@primary_server"), procStr(pc, "@primary_database")
	id, _, _, found, err := secondaryEntry(pc, psrv, pdb)
	if err != nil {
		return 1, err
	}
	if !found {
		return 1, newErr(sqlerr.LSPrimaryNotRegistered, psrv, pdb)
	}
	db := inst.DB(sdb)
	if db == nil {
		return 1, newErr(sqlerr.DatabaseNotFoundProc, sdb)
	}
	sdb = db.Name()
	sink, err := lsSQL(pc, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = "+agentLit(sdb))
	if err != nil {
		return 1, err
	}
	if vInt(sink.rows(0)[0][0]) > 0 && pc.Arg("@overwrite") != true {
		return 1, newErr(sqlerr.LSSecondaryEntryExists, sdb)
	}
	maxXfer := pc.Arg("@max_transfer_size")
	text := fmt.Sprintf(`SET XACT_ABORT ON; BEGIN TRANSACTION;
DELETE msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_secondary WHERE secondary_database = %[1]s;
INSERT msdb.dbo.log_shipping_secondary_databases (secondary_database, secondary_id, restore_delay, restore_all, restore_mode, disconnect_users,
	block_size, buffer_count, max_transfer_size, last_restored_file, last_restored_date)
	VALUES (%[1]s, %[2]s, %[3]s, %[4]s, %[5]s, %[6]s, %[7]s, %[8]s, %[9]s, NULL, NULL);
INSERT msdb.dbo.log_shipping_monitor_secondary (secondary_server, secondary_database, secondary_id, primary_server, primary_database,
	restore_threshold, threshold_alert, threshold_alert_enabled, last_copied_file, last_copied_date, last_copied_date_utc,
	last_restored_file, last_restored_date, last_restored_date_utc, last_restored_latency, history_retention_period)
	VALUES (%[10]s, %[1]s, %[2]s, %[11]s, %[12]s, %[13]s, %[14]s, %[15]s, NULL, NULL, NULL, NULL, NULL, NULL, NULL, %[16]s);
COMMIT TRANSACTION;`,
		agentLit(sdb), agentLit(id), agentLit(procInt(pc, "@restore_delay")), agentLit(pc.Arg("@restore_all") != false), agentLit(pc.Arg("@restore_mode") == true),
		agentLit(pc.Arg("@disconnect_users") == true), agentLit(procInt(pc, "@block_size")), agentLit(procInt(pc, "@buffer_count")), agentLit(maxXfer),
		agentLit(inst.Name()), agentLit(psrv), agentLit(pdb), agentLit(procInt(pc, "@restore_threshold")), agentLit(procInt(pc, "@threshold_alert")),
		agentLit(pc.Arg("@threshold_alert_enabled") != false), agentLit(retention(pc, "@history_retention_period")))
	if _, err := lsSQL(pc, text); err != nil {
		return 1, err
	}
	return 0, nil
}

func spDeleteLSSecondaryDatabase(pc *engine.ProcCall) (int32, error) {
	sdb := procStr(pc, "@secondary_database")
	sink, err := lsSQL(pc, "SELECT secondary_id, secondary_database FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = "+agentLit(sdb))
	if err != nil {
		return 1, err
	}
	rows := sink.rows(0)
	if len(rows) == 0 {
		return 1, newErr(sqlerr.LSNotSecondary, sdb)
	}
	id, name := vGUID(rows[0][0]), vStr(rows[0][1])
	_, err = lsSQL(pc, fmt.Sprintf(`SET XACT_ABORT ON; BEGIN TRANSACTION;
DELETE msdb.dbo.log_shipping_secondary_databases WHERE secondary_database = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_secondary WHERE secondary_database = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_history_detail WHERE agent_id = %[2]s AND database_name = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_error_detail WHERE agent_id = %[2]s AND database_name = %[1]s;
COMMIT TRANSACTION;`, agentLit(name), agentLit(id)))
	if err != nil {
		return 1, err
	}
	return 0, nil
}

func spDeleteLSSecondaryPrimary(pc *engine.ProcCall) (int32, error) {
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	psrv, pdb := procStr(pc, "@primary_server"), procStr(pc, "@primary_database")
	id, copyJob, restoreJob, found, err := secondaryEntry(pc, psrv, pdb)
	if err != nil {
		return 1, err
	}
	if !found {
		return 1, newErr(sqlerr.LSPrimaryNotRegistered, psrv, pdb)
	}
	sink, err := lsSQL(pc, "SELECT COUNT(*) FROM msdb.dbo.log_shipping_secondary_databases WHERE secondary_id = "+agentLit(id))
	if err != nil {
		return 1, err
	}
	if vInt(sink.rows(0)[0][0]) > 0 {
		return 1, newErr(sqlerr.LSPrimaryHasSecondariesHere, psrv, pdb)
	}
	for _, j := range []GUID{copyJob, restoreJob} {
		if err := dropJobIfAny(s, j); err != nil {
			return 1, err
		}
	}
	_, err = lsSQL(pc, fmt.Sprintf(`SET XACT_ABORT ON; BEGIN TRANSACTION;
DELETE msdb.dbo.log_shipping_secondary WHERE secondary_id = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_history_detail WHERE agent_id = %[1]s;
DELETE msdb.dbo.log_shipping_monitor_error_detail WHERE agent_id = %[1]s;
COMMIT TRANSACTION;`, agentLit(id)))
	if err != nil {
		return 1, err
	}
	return 0, nil
}
