package msdb

import (
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/agent"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sqlerr"
)

// The log-shipping alert job (reference: Microsoft's pages of
// sp_add_log_shipping_alert_job, sp_delete_log_shipping_alert_job and
// sp_check_log_shipping_monitor_alert). Every monitor of a log-shipping
// configuration (the primary and each secondary when no separate monitor
// server is named) carries one enabled job, LSAlert_<server>, that runs
// sp_check_log_shipping_monitor_alert every two minutes; its id is the one
// row of msdb.dbo.log_shipping_monitor_alert. The check raises 14420 for a
// primary and 14421 for a secondary whose threshold is passed, which is
// what the operators' alerts fire on.

// The names SQL Server gives the alert job's step and schedule.
const (
	lsAlertStep     = "Log shipping alert job step."
	lsAlertSchedule = "Log shipping alert job schedule."
	lsAlertCommand  = "sys.sp_check_log_shipping_monitor_alert"
)

func installLogShippingAlert(r *engine.Registry) {
	r.Procedure("sp_add_log_shipping_alert_job", engine.SystemProc{Params: []engine.ProcParam{
		{Name: "@alert_job_id", Type: tGUID, Output: true, HasDefault: true},
	}, Run: spAddLSAlertJob})
	r.Procedure("sp_delete_log_shipping_alert_job", engine.SystemProc{Run: spDeleteLSAlertJob})
	r.Procedure("sp_check_log_shipping_monitor_alert", engine.SystemProc{Run: spCheckLSMonitorAlert})
}

// inMaster enforces the documented "must be run from the master database"
// of the alert procedures, with the error SQL Server's log-shipping
// procedures raise (5001). master.dbo.sp_x runs in master whatever the
// session's database.
func inMaster(pc *engine.ProcCall) error {
	if pc.Qualifier != "" {
		if !strings.EqualFold(pc.Qualifier, "master") {
			return newErr(sqlerr.UserMustBeInMaster)
		}
		return nil
	}
	if db := pc.Database(); db == nil || !strings.EqualFold(db.Name(), "master") {
		return newErr(sqlerr.UserMustBeInMaster)
	}
	return nil
}

// alertJob is the registered alert job's id, if its row and its job exist.
func alertJob(pc *engine.ProcCall, s *agent.Scheduler) (GUID, bool, error) {
	sink, err := lsSQL(pc, "SELECT alert_job_id FROM msdb.dbo.log_shipping_monitor_alert")
	if err != nil {
		return GUID{}, false, err
	}
	for _, r := range sink.rows(0) {
		if id := vGUID(r[0]); id != (GUID{}) {
			if _, ok := s.Job(id); ok {
				return id, true, nil
			}
		}
	}
	return GUID{}, false, nil
}

// spAddLSAlertJob creates the alert job if this server has none (a row
// whose job was deleted by hand is replaced), and returns its id either way.
func spAddLSAlertJob(pc *engine.ProcCall) (int32, error) {
	if err := inMaster(pc); err != nil {
		return 1, err
	}
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	if id, ok, err := alertJob(pc, s); err != nil {
		return 1, err
	} else if ok {
		pc.SetOutput("@alert_job_id", id)
		return 0, nil
	}
	inst := pc.Instance()
	job, err := s.AddJob(agent.Job{Name: "LSAlert_" + inst.Name(), Enabled: true, Category: "Log Shipping Alert", Owner: "sa",
		Steps: []agent.Step{{StepID: 1, StepName: lsAlertStep, Subsystem: "TSQL", Command: lsAlertCommand, DatabaseName: "master"}}})
	if err != nil {
		return 1, agentError(err, "", "")
	}
	sc, err := s.AddSchedule(agent.Schedule{Name: lsAlertSchedule, Enabled: true, Owner: "sa", FreqType: 4, FreqInterval: 1,
		FreqSubdayType: 4, FreqSubdayInterval: 2, ActiveStartDate: agent.DateInt(agentNow(inst)), ActiveEndDate: 99991231, ActiveEndTime: 235900})
	if err == nil {
		err = s.AttachSchedule(job.JobID, sc.ScheduleID)
	}
	if err == nil {
		_, err = lsSQL(pc, "DELETE msdb.dbo.log_shipping_monitor_alert; INSERT msdb.dbo.log_shipping_monitor_alert (alert_job_id) VALUES ("+agentLit(job.JobID)+")")
	}
	if err != nil {
		_ = dropJobIfAny(s, job.JobID)
		return 1, agentError(err, "", "")
	}
	pc.SetOutput("@alert_job_id", job.JobID)
	return 0, nil
}

// spDeleteLSAlertJob removes the alert job only when this monitor has no
// primary or secondary left to watch, as documented; otherwise it leaves
// it and succeeds (the documented conditional removal).
func spDeleteLSAlertJob(pc *engine.ProcCall) (int32, error) {
	if err := inMaster(pc); err != nil {
		return 1, err
	}
	s, err := scheduler(pc)
	if err != nil {
		return 1, err
	}
	sink, err := lsSQL(pc, `SELECT (SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_primary) + (SELECT COUNT(*) FROM msdb.dbo.log_shipping_monitor_secondary);
SELECT alert_job_id FROM msdb.dbo.log_shipping_monitor_alert`)
	if err != nil {
		return 1, err
	}
	if vInt(sink.rows(0)[0][0]) > 0 {
		return 0, nil
	}
	for _, r := range sink.rows(1) {
		if err := dropJobIfAny(s, vGUID(r[0])); err != nil {
			return 1, err
		}
	}
	if _, err := lsSQL(pc, "DELETE msdb.dbo.log_shipping_monitor_alert"); err != nil {
		return 1, err
	}
	return 0, nil
}

// spCheckLSMonitorAlert raises 14420 for every primary whose last log
// backup is older than its backup threshold and 14421 for every secondary
// whose last restore is older than its restore threshold or whose restore
// latency passes it, for the databases whose threshold alert is enabled.
// Each is a severity-16 error, so the alert job's step fails as on a real
// server; every database is checked, and the procedure then returns 1.
// Where the documentation is silent the simulator is stricter: a database
// never backed up (or never restored) since it was configured has no
// elapsed time for the message, so it is measured from the earliest time
// the monitor knows (the copy for a secondary) and, with nothing known, it
// is not reported here; sp_help_log_shipping_monitor flags it. The alert
// number is always SQL Server's 14420/14421: a configured custom
// threshold_alert is refused with 14262 rather than raised as a number the
// catalogue does not name.
func spCheckLSMonitorAlert(pc *engine.ProcCall) (int32, error) {
	sink, err := lsSQL(pc, `SELECT primary_server, primary_database, backup_threshold, threshold_alert, last_backup_date_utc
	FROM msdb.dbo.log_shipping_monitor_primary WHERE threshold_alert_enabled = 1 ORDER BY primary_server, primary_database;
SELECT secondary_server, secondary_database, restore_threshold, threshold_alert, last_restored_date_utc, last_restored_latency, last_copied_date_utc
	FROM msdb.dbo.log_shipping_monitor_secondary WHERE threshold_alert_enabled = 1 ORDER BY secondary_server, secondary_database`)
	if err != nil {
		return 1, err
	}
	// The agents stamp the monitor tables with the Agent's clock.
	now := agentNow(pc.Instance()).UTC()
	minutes := func(v Value) (int64, bool) {
		t, ok := v.(time.Time)
		if !ok {
			return 0, false
		}
		return int64(now.Sub(t) / time.Minute), true
	}
	var alerts []*engine.Error
	for _, r := range sink.rows(0) {
		if n := vInt(r[3]); n != int64(sqlerr.LSBackupThreshold) {
			return 1, newErr(sqlerr.AgentObjectNotFound, "threshold_alert", fmt.Sprint(n))
		}
		ago, ok := minutes(r[4])
		if threshold := vInt(r[2]); ok && ago > threshold {
			alerts = append(alerts, newErr(sqlerr.LSBackupThreshold, vStr(r[0]), vStr(r[1]), threshold, ago))
		}
	}
	for _, r := range sink.rows(1) {
		if n := vInt(r[3]); n != int64(sqlerr.LSRestoreThreshold) {
			return 1, newErr(sqlerr.AgentObjectNotFound, "threshold_alert", fmt.Sprint(n))
		}
		ago, ok := minutes(r[4])
		if !ok {
			ago, ok = minutes(r[6])
		}
		var latency int64
		if r[5] != nil {
			latency = vInt(r[5])
		}
		if threshold := vInt(r[2]); ok && (ago > threshold || latency > threshold) {
			alerts = append(alerts, newErr(sqlerr.LSRestoreThreshold, vStr(r[0]), vStr(r[1]), threshold, ago, latency))
		}
	}
	if len(alerts) == 0 {
		return 0, nil
	}
	for _, e := range alerts[:len(alerts)-1] {
		if err := pc.Message(e); err != nil {
			return 1, err
		}
	}
	return 1, alerts[len(alerts)-1]
}
