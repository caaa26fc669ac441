package msdb

import (
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
)

// sp_help_log_shipping_monitor: one row per log-shipping primary and
// secondary database this instance monitors, from the monitor tables, with
// the minutes since the last backup, copy and restore and whether a
// threshold is passed (status 1). The columns are SQL Server's.

func installLogShippingMonitor(r *engine.Registry) {
	r.Procedure("sp_help_log_shipping_monitor", engine.SystemProc{Params: []engine.ProcParam{pBit("@verbose", false)}, Run: spHelpLSMonitor})
}

func spHelpLSMonitor(pc *engine.ProcCall) (int32, error) {
	cols := []Column{
		col("status", tBit, true), col("is_primary", tBit, false), col("server", tSys, false), col("database_name", tSys, false),
		col("time_since_last_backup", tInt, true), col("last_backup_file", nv(500), true), col("backup_threshold", tInt, true),
		col("is_backup_alert_enabled", tBit, true), col("time_since_last_copy", tInt, true), col("last_copied_file", nv(500), true),
		col("time_since_last_restore", tInt, true), col("last_restored_file", nv(500), true), col("last_restored_latency", tInt, true),
		col("restore_threshold", tInt, true), col("is_restore_alert_enabled", tBit, true),
	}
	sink, err := lsSQL(pc, `SELECT primary_server, primary_database, last_backup_file, last_backup_date_utc, backup_threshold, threshold_alert_enabled
	FROM msdb.dbo.log_shipping_monitor_primary ORDER BY primary_server, primary_database;
SELECT secondary_server, secondary_database, last_copied_file, last_copied_date_utc, last_restored_file, last_restored_date_utc,
	last_restored_latency, restore_threshold, threshold_alert_enabled FROM msdb.dbo.log_shipping_monitor_secondary ORDER BY secondary_server, secondary_database`)
	if err != nil {
		return 1, err
	}
	now := pc.Instance().Now().UTC()
	since := func(v Value) Value {
		t, ok := v.(time.Time)
		if !ok {
			return nil
		}
		return int64(now.Sub(t) / time.Minute)
	}
	var rows [][]Value
	for _, r := range sink.rows(0) {
		ago, threshold := since(r[3]), vInt(r[4])
		alert := ago == nil || ago.(int64) > threshold
		rows = append(rows, []Value{alert, true, r[0], r[1], ago, r[2], threshold, r[5] == true, nil, nil, nil, nil, nil, nil, nil})
	}
	for _, r := range sink.rows(1) {
		ago, threshold := since(r[5]), vInt(r[7])
		alert := ago == nil || ago.(int64) > threshold || (r[6] != nil && vInt(r[6]) > threshold)
		rows = append(rows, []Value{alert, false, r[0], r[1], nil, nil, nil, nil, since(r[3]), r[2], ago, r[4], r[6], threshold, r[8] == true})
	}
	return 0, pc.Result(cols, rows)
}
