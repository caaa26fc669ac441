package enginetest

// ConfigScripts are server configuration options (issue 14; Microsoft's
// "sp_configure", "RECONFIGURE" and "sys.configurations" pages): the
// configured value changes with sp_configure, the running value with
// RECONFIGURE, advanced options are visible once 'show advanced options'
// is in use.
var ConfigScripts = []ScriptTest{
	{
		Name: "sp_configure, show advanced options and RECONFIGURE",
		Assertions: []Assertion{
			{Query: "EXEC sp_configure 'backup compression default'", Columns: []string{"name", "minimum", "maximum", "config_value", "run_value"},
				Expected: [][]any{{"backup compression default", 0, 1, 0, 0}}},
			{Query: "EXEC sp_configure 'xp_cmdshell'", ErrNumber: 15123, ErrContains: "The configuration option 'xp_cmdshell' does not exist, or it may be an advanced option."},
			{Query: "EXEC sp_configure 'show advanced options', 1", Exec: true, Affected: -1},
			{Query: "SELECT value, value_in_use FROM sys.configurations WHERE name = 'show advanced options'", Expected: [][]any{{1, 0}}},
			{Query: "RECONFIGURE", Exec: true, Affected: -1},
			{Query: "SELECT value, value_in_use, is_dynamic, is_advanced FROM sys.configurations WHERE configuration_id = 518", Expected: [][]any{{1, 1, true, false}}},
			{Query: "EXEC sp_configure 'xp_cmdshell'", Expected: [][]any{{"xp_cmdshell", 0, 1, 0, 0}}},
			{Query: "EXEC sp_configure 'max server memory', 4096; RECONFIGURE WITH OVERRIDE; SELECT value_in_use FROM sys.configurations WHERE name = 'max server memory (MB)'", Expected: [][]any{{4096}}},
			{Query: "EXEC sp_configure 'backup compression default', 2", ErrNumber: 15129},
			{Query: "EXEC sp_configure 'remote', 1", ErrNumber: 15028},
			// user connections is not dynamic: RECONFIGURE leaves its running value.
			{Query: "EXEC sp_configure 'user connections', 10; RECONFIGURE; EXEC sp_configure 'user connections'", Expected: [][]any{{"user connections", 0, 32767, 10, 0}}},
			{Query: "SELECT COUNT(*) FROM sys.configurations WHERE minimum IS NULL OR maximum IS NULL OR description IS NULL", Expected: [][]any{{0}}},
		},
	},
	{
		Name: "sys.databases has the documented column set",
		Assertions: []Assertion{
			{Query: "SELECT name, is_auto_create_stats_on, is_broker_enabled, is_trustworthy_on, snapshot_isolation_state_desc, containment_desc, delayed_durability_desc, page_verify_option_desc FROM sys.databases WHERE database_id IN (1, 4) ORDER BY database_id",
				Expected: [][]any{{"master", true, false, false, "OFF", "NONE", "DISABLED", "CHECKSUM"}, {"msdb", true, true, true, "OFF", "NONE", "DISABLED", "CHECKSUM"}}},
			{Query: "SELECT COUNT(*) FROM sys.databases WHERE owner_sid IS NULL OR service_broker_guid IS NULL OR target_recovery_time_in_seconds IS NULL", Expected: [][]any{{0}}},
			{Query: "SELECT TOP 0 * FROM sys.databases", Expected: [][]any{}, Columns: []string{"name", "database_id", "source_database_id", "owner_sid", "create_date", "compatibility_level",
				"collation_name", "user_access", "user_access_desc", "is_read_only", "is_auto_close_on", "is_auto_shrink_on", "state", "state_desc",
				"is_in_standby", "is_cleanly_shutdown", "is_supplemental_logging_enabled", "snapshot_isolation_state", "snapshot_isolation_state_desc",
				"is_read_committed_snapshot_on", "recovery_model", "recovery_model_desc", "page_verify_option", "page_verify_option_desc",
				"is_auto_create_stats_on", "is_auto_create_stats_incremental_on", "is_auto_update_stats_on", "is_auto_update_stats_async_on",
				"is_ansi_null_default_on", "is_ansi_nulls_on", "is_ansi_padding_on", "is_ansi_warnings_on", "is_arithabort_on",
				"is_concat_null_yields_null_on", "is_numeric_roundabort_on", "is_quoted_identifier_on", "is_recursive_triggers_on",
				"is_cursor_close_on_commit_on", "is_local_cursor_default", "is_fulltext_enabled", "is_trustworthy_on", "is_db_chaining_on",
				"is_parameterization_forced", "is_master_key_encrypted_by_server", "is_published", "is_subscribed", "is_merge_published",
				"is_distributor", "is_sync_with_backup", "service_broker_guid", "is_broker_enabled", "log_reuse_wait", "log_reuse_wait_desc",
				"is_date_correlation_on", "is_cdc_enabled", "is_encrypted", "is_honor_broker_priority_on", "replica_id", "group_database_id",
				"resource_pool_id", "default_language_lcid", "default_language_name", "default_fulltext_language_lcid",
				"default_fulltext_language_name", "is_nested_triggers_on", "is_transform_noise_words_on", "two_digit_year_cutoff",
				"containment", "containment_desc", "target_recovery_time_in_seconds", "delayed_durability", "delayed_durability_desc",
				"is_memory_optimized_elevate_to_snapshot_on"}},
		},
	},
}
