package catalog

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// databasesView is sys.databases with the column set of SQL Server 2014's
// page for it (the release the Persistent Chat back end runs), in its
// order. Options the simulator does not model have the value a database
// created with default options shows; columns that only apply to
// contained databases, availability groups or resource pools are NULL.
func databasesView(r *engine.Registry) {
	tGUIDn := sqltypes.TypeGUID
	r.View("sys", "databases", []engine.Column{
		col("name", tSys, false), col("database_id", tInt, false), col("source_database_id", tInt, true),
		col("owner_sid", sqltypes.VarBinary(85), true), col("create_date", tDT, false), col("compatibility_level", tTiny, false),
		col("collation_name", tSys, true), col("user_access", tTiny, true), col("user_access_desc", nv(60), true),
		col("is_read_only", tBit, true), col("is_auto_close_on", tBit, false), col("is_auto_shrink_on", tBit, true),
		col("state", tTiny, true), col("state_desc", nv(60), true), col("is_in_standby", tBit, true),
		col("is_cleanly_shutdown", tBit, true), col("is_supplemental_logging_enabled", tBit, true),
		col("snapshot_isolation_state", tTiny, true), col("snapshot_isolation_state_desc", nv(60), true),
		col("is_read_committed_snapshot_on", tBit, true), col("recovery_model", tTiny, true), col("recovery_model_desc", nv(60), true),
		col("page_verify_option", tTiny, true), col("page_verify_option_desc", nv(60), true),
		col("is_auto_create_stats_on", tBit, true), col("is_auto_create_stats_incremental_on", tBit, true),
		col("is_auto_update_stats_on", tBit, true), col("is_auto_update_stats_async_on", tBit, true),
		col("is_ansi_null_default_on", tBit, true), col("is_ansi_nulls_on", tBit, true), col("is_ansi_padding_on", tBit, true),
		col("is_ansi_warnings_on", tBit, true), col("is_arithabort_on", tBit, true), col("is_concat_null_yields_null_on", tBit, true),
		col("is_numeric_roundabort_on", tBit, true), col("is_quoted_identifier_on", tBit, true), col("is_recursive_triggers_on", tBit, true),
		col("is_cursor_close_on_commit_on", tBit, true), col("is_local_cursor_default", tBit, true), col("is_fulltext_enabled", tBit, true),
		col("is_trustworthy_on", tBit, true), col("is_db_chaining_on", tBit, true), col("is_parameterization_forced", tBit, true),
		col("is_master_key_encrypted_by_server", tBit, false), col("is_published", tBit, false), col("is_subscribed", tBit, false),
		col("is_merge_published", tBit, false), col("is_distributor", tBit, false), col("is_sync_with_backup", tBit, false),
		col("service_broker_guid", tGUIDn, false), col("is_broker_enabled", tBit, false),
		col("log_reuse_wait", tTiny, true), col("log_reuse_wait_desc", nv(60), true),
		col("is_date_correlation_on", tBit, false), col("is_cdc_enabled", tBit, false), col("is_encrypted", tBit, true),
		col("is_honor_broker_priority_on", tBit, true), col("replica_id", tGUIDn, true), col("group_database_id", tGUIDn, true),
		col("resource_pool_id", tInt, true), col("default_language_lcid", tSm, true), col("default_language_name", nv(128), true),
		col("default_fulltext_language_lcid", tInt, true), col("default_fulltext_language_name", nv(128), true),
		col("is_nested_triggers_on", tBit, true), col("is_transform_noise_words_on", tBit, true),
		col("two_digit_year_cutoff", tSm, true), col("containment", tTiny, true), col("containment_desc", nv(60), true),
		col("target_recovery_time_in_seconds", tInt, true), col("delayed_durability", tInt, true),
		col("delayed_durability_desc", nv(60), true), col("is_memory_optimized_elevate_to_snapshot_on", tBit, true),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, d := range sc.Instance().Databases() {
			m := d.Meta()
			system := m.ID <= engine.MsdbID
			out = append(out, []engine.Value{m.Name, int64(m.ID), nil,
				[]byte{1}, m.Created, int64(160),
				m.Collation.Name(), int64(m.UserAccess), m.UserAccess.String(),
				b2v(m.ReadOnly), false, false,
				int64(m.State), m.State.String(), b2v(m.Standby),
				false, false,
				int64(0), "OFF",
				false, int64(m.Recovery), m.Recovery.String(),
				int64(2), "CHECKSUM",
				true, false,
				true, false,
				false, false, false,
				false, false, false,
				false, false, false,
				false, false, true,
				m.ID == engine.MsdbID, system && m.ID != engine.ModelID, false,
				false, false, false,
				false, false, false,
				m.FamilyGUID, m.ID == engine.MsdbID,
				int64(0), "NOTHING",
				false, false, false,
				false, nil, nil,
				nil, nil, nil,
				nil, nil,
				nil, nil,
				nil, int64(0), "NONE",
				int64(0), int64(0),
				"DISABLED", false,
			})
		}
		return out, nil
	})
}
