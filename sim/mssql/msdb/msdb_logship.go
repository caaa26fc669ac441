package msdb

import (
	"context"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/engine"
)

// msdb's log-shipping tables (reference §7.8), with SQL Server's columns.
// The log-shipping procedures and the three agents (backup, copy, restore)
// read and write them in T-SQL, so they are durable like any msdb table and
// clients query them as on a real server.
var logShippingTablesDDL = []string{
	`CREATE TABLE dbo.log_shipping_primary_databases (primary_id uniqueidentifier NOT NULL PRIMARY KEY, primary_database sysname NOT NULL,
		backup_directory nvarchar(500) NOT NULL, backup_share nvarchar(500) NOT NULL, backup_retention_period int NOT NULL,
		backup_job_id uniqueidentifier NOT NULL, monitor_server sysname NOT NULL, monitor_server_security_mode bit NOT NULL,
		user_specified_monitor bit NULL, last_backup_file nvarchar(500) NULL, last_backup_date datetime NULL, backup_compression tinyint NOT NULL)`,
	`CREATE TABLE dbo.log_shipping_primary_secondaries (primary_id uniqueidentifier NOT NULL, secondary_server sysname NOT NULL,
		secondary_database sysname NOT NULL)`,
	`CREATE TABLE dbo.log_shipping_secondary (secondary_id uniqueidentifier NOT NULL PRIMARY KEY, primary_server sysname NOT NULL,
		primary_database sysname NOT NULL, backup_source_directory nvarchar(500) NOT NULL, backup_destination_directory nvarchar(500) NOT NULL,
		file_retention_period int NOT NULL, copy_job_id uniqueidentifier NOT NULL, restore_job_id uniqueidentifier NOT NULL,
		monitor_server sysname NOT NULL, monitor_server_security_mode bit NOT NULL, user_specified_monitor bit NULL,
		last_copied_file nvarchar(500) NULL, last_copied_date datetime NULL)`,
	`CREATE TABLE dbo.log_shipping_secondary_databases (secondary_database sysname NOT NULL PRIMARY KEY, secondary_id uniqueidentifier NOT NULL,
		restore_delay int NOT NULL, restore_all bit NOT NULL, restore_mode bit NOT NULL, disconnect_users bit NOT NULL, block_size int NULL,
		buffer_count int NULL, max_transfer_size int NULL, last_restored_file nvarchar(500) NULL, last_restored_date datetime NULL)`,
	`CREATE TABLE dbo.log_shipping_monitor_primary (primary_id uniqueidentifier NOT NULL PRIMARY KEY, primary_server sysname NOT NULL,
		primary_database sysname NOT NULL, backup_threshold int NOT NULL, threshold_alert int NOT NULL, threshold_alert_enabled bit NOT NULL,
		last_backup_file nvarchar(500) NULL, last_backup_date datetime NULL, last_backup_date_utc datetime NULL, history_retention_period int NOT NULL)`,
	`CREATE TABLE dbo.log_shipping_monitor_secondary (secondary_server sysname NOT NULL, secondary_database sysname NOT NULL,
		secondary_id uniqueidentifier NOT NULL, primary_server sysname NOT NULL, primary_database sysname NOT NULL, restore_threshold int NOT NULL,
		threshold_alert int NOT NULL, threshold_alert_enabled bit NOT NULL, last_copied_file nvarchar(500) NULL, last_copied_date datetime NULL,
		last_copied_date_utc datetime NULL, last_restored_file nvarchar(500) NULL, last_restored_date datetime NULL,
		last_restored_date_utc datetime NULL, last_restored_latency int NULL, history_retention_period int NOT NULL)`,
	`CREATE TABLE dbo.log_shipping_monitor_history_detail (agent_id uniqueidentifier NOT NULL, agent_type tinyint NOT NULL, session_id int NOT NULL,
		database_name sysname NULL, session_status tinyint NOT NULL, log_time datetime NOT NULL, log_time_utc datetime NOT NULL, message nvarchar(4000) NOT NULL)`,
	`CREATE TABLE dbo.log_shipping_monitor_error_detail (agent_id uniqueidentifier NOT NULL, agent_type tinyint NOT NULL, session_id int NOT NULL,
		database_name sysname NULL, sequence_number int NOT NULL, log_time datetime NOT NULL, log_time_utc datetime NOT NULL,
		message nvarchar(4000) NOT NULL, source nvarchar(4000) NULL, help_url nvarchar(4000) NULL)`,
	`CREATE TABLE dbo.log_shipping_monitor_alert (alert_job_id uniqueidentifier NOT NULL)`,
}

// startLogShipping is the logshipping feature's Start: msdb's
// log-shipping tables, where missing.
func startLogShipping(inst *engine.Instance) error {
	if err := createMsdbTables(context.Background(), inst, logShippingTablesDDL); err != nil {
		return fmt.Errorf("log shipping tables: %w", err)
	}
	return nil
}
