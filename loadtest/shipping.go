package loadtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Log-shipping agent types (msdb.dbo.log_shipping_monitor_history_detail
// agent_type).
const (
	AgentBackup  = 0
	AgentCopy    = 1
	AgentRestore = 2
)

// AgentRuns is how often one kind of log-shipping agent ran on an
// instance and how many of those runs failed.
type AgentRuns struct {
	Runs, Failed int
}

// ShippingRuns reads, from an instance's msdb, how often each log-shipping
// agent ran, as a DBA reads the monitor: every run of the backup, copy or
// restore job opens a monitor session numbered one past the agent's last,
// so the highest session number counts the runs even after the Agent
// trimmed its job history (100 rows per job) or the monitor purged old
// rows. A run that failed leaves an error row (session_status 3).
func ShippingRuns(ctx context.Context, db *sql.DB) (map[int]AgentRuns, error) {
	rows, err := db.QueryContext(ctx, `SELECT agent_type, MAX(session_id),
		SUM(CASE WHEN session_status = 3 THEN 1 ELSE 0 END)
		FROM msdb.dbo.log_shipping_monitor_history_detail GROUP BY agent_id, agent_type`)
	if err != nil {
		return nil, fmt.Errorf("log-shipping runs: %w", err)
	}
	defer rows.Close()
	out := map[int]AgentRuns{}
	for rows.Next() {
		var typ int
		var runs, failed sql.NullInt64
		if err := rows.Scan(&typ, &runs, &failed); err != nil {
			return nil, fmt.Errorf("log-shipping runs: %w", err)
		}
		r := out[typ]
		r.Runs += int(runs.Int64)
		r.Failed += int(failed.Int64)
		out[typ] = r
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("log-shipping runs: %w", err)
	}
	return out, nil
}

// LogBackups counts the transaction-log backups of a database in an
// instance's backup history (msdb.dbo.backupset, type L): on a
// log-shipping primary, one per backup job run that had a log to back up.
func LogBackups(ctx context.Context, db *sql.DB, database string) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.backupset WHERE type = 'L' AND database_name = @p1", database).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("log backups of %s: %w", database, err)
	}
	return n, nil
}

// LogRestores counts the transaction-log restores into a database in an
// instance's restore history (msdb.dbo.restorehistory, type L): on a
// log-shipping secondary, one per log backup the restore job applied.
func LogRestores(ctx context.Context, db *sql.DB, database string) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM msdb.dbo.restorehistory WHERE restore_type = 'L' AND destination_database_name = @p1", database).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("log restores into %s: %w", database, err)
	}
	return n, nil
}

// LastRestoredFile is the secondary monitor's last restored log backup of
// a database ("" when none yet).
func LastRestoredFile(ctx context.Context, db *sql.DB, database string) (string, error) {
	var f sql.NullString
	err := db.QueryRowContext(ctx, "SELECT last_restored_file FROM msdb.dbo.log_shipping_monitor_secondary WHERE secondary_database = @p1", database).Scan(&f)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("last restored file of %s: %w", database, err)
	}
	return f.String, nil
}

// ShippingIdle reports whether no log-shipping agent is in the middle of a
// run on an instance: every agent's latest monitor session has ended
// (success or error). The simulator has no sysjobactivity; the monitor
// shows the same thing for these jobs.
func ShippingIdle(ctx context.Context, db *sql.DB) (bool, error) {
	var open int
	err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (
		SELECT agent_id, agent_type, MAX(session_id) AS session_id
		FROM msdb.dbo.log_shipping_monitor_history_detail GROUP BY agent_id, agent_type) AS l
		WHERE NOT EXISTS (SELECT 1 FROM msdb.dbo.log_shipping_monitor_history_detail AS h
			WHERE h.agent_id = l.agent_id AND h.agent_type = l.agent_type AND h.session_id = l.session_id
			AND h.session_status IN (2, 3))`).Scan(&open)
	if err != nil {
		return false, fmt.Errorf("log-shipping activity: %w", err)
	}
	return open == 0, nil
}
