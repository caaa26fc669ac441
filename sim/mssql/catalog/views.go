package catalog

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

func installCatalogViews(r *engine.Registry) {
	databasesView(r) // databases.go
	r.View("sys", "dm_exec_sessions", []engine.Column{
		col("session_id", tSm, false), col("login_time", tDT, false), col("host_name", tSys, true),
		col("program_name", tSys, true), col("host_process_id", tInt, true), col("client_interface_name", tSys, true),
		col("login_name", tSys, false), col("nt_domain", tSys, true), col("nt_user_name", tSys, true),
		col("status", nv(30), false), col("cpu_time", tInt, false), col("memory_usage", tInt, false),
		col("last_request_start_time", tDT, false), col("last_request_end_time", tDT, true),
		col("reads", tBig, false), col("writes", tBig, false), col("logical_reads", tBig, false),
		col("is_user_process", tBit, false), col("transaction_isolation_level", tSm, false),
		col("database_id", tSm, false), col("open_transaction_count", tInt, false),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, ses := range sc.Instance().Sessions() {
			s := ses.Info()
			dbid := int64(s.DatabaseID)
			status, last := s.Status, s.LastBatch
			open := int64(0)
			if ses == sc.Session() {
				status = "running"
				open = int64(sc.TranCount())
			}
			out = append(out, []engine.Value{int64(s.ID), engine.WallClock(s.LoginTime), nullIfEmpty(s.Host), nullIfEmpty(s.AppName),
				nil, "ODBC", s.Login, "", "", status, int64(0), int64(2), engine.WallClock(last), engine.WallClock(last),
				int64(0), int64(0), int64(0), true, int64(2), dbid, open})
		}
		return out, nil
	})
	schemaCols := []engine.Column{col("name", tSys, false), col("schema_id", tInt, false), col("principal_id", tInt, true)}
	r.View("sys", "schemas", schemaCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		return [][]engine.Value{{"dbo", int64(1), int64(1)}, {"guest", int64(2), int64(2)},
			{"INFORMATION_SCHEMA", int64(3), int64(3)}, {"sys", int64(4), int64(4)}}, nil
	})
	objCols := []engine.Column{
		col("name", tSys, false), col("object_id", tInt, false), col("principal_id", tInt, true),
		col("schema_id", tInt, false), col("parent_object_id", tInt, false), col("type", sqltypes.Type{Kind: sqltypes.KindChar, Length: 2}, true),
		col("type_desc", nv(60), true), col("create_date", tDT, false), col("modify_date", tDT, false),
		col("is_ms_shipped", tBit, false), col("is_published", tBit, false), col("is_schema_published", tBit, false),
	}
	r.View("sys", "objects", objCols, objectRows)
	r.View("sys", "tables", append(append([]engine.Column{}, objCols...), col("lob_data_space_id", tInt, false), col("is_replicated", tBit, true), col("temporal_type", tTiny, true)),
		func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
			var out [][]engine.Value
			for _, t := range sc.Tables(db) {
				out = append(out, []engine.Value{t.Name, int64(t.ID), nil, int64(1), int64(0), "U ", "USER_TABLE", t.Created, t.Created, false, false, false, int64(0), false, int64(0)})
			}
			return out, nil
		})
	r.View("sys", "columns", []engine.Column{
		col("object_id", tInt, false), col("name", tSys, true), col("column_id", tInt, false),
		col("system_type_id", tTiny, false), col("user_type_id", tInt, false), col("max_length", tSm, false),
		col("precision", tTiny, false), col("scale", tTiny, false), col("collation_name", tSys, true),
		col("is_nullable", tBit, true), col("is_identity", tBit, false), col("is_computed", tBit, false),
		col("default_object_id", tInt, false),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, t := range sc.Tables(db) {
			for i, c := range t.Cols {
				p, s := precisionOf(c.Type)
				var coll engine.Value
				if c.Type.Kind.IsString() {
					coll = c.Type.Collation.Name()
				}
				def := int64(0)
				if c.Default != "" {
					def = int64(t.ID*100 + 50 + i)
				}
				out = append(out, []engine.Value{int64(t.ID), c.Name, int64(i + 1), systemTypeID(c.Type), systemTypeID(c.Type), maxLength(c.Type),
					p, s, coll, c.Nullable, c.Identity, false, def})
			}
		}
		return out, nil
	})
	r.View("INFORMATION_SCHEMA", "TABLES", []engine.Column{
		col("TABLE_CATALOG", tSys, true), col("TABLE_SCHEMA", tSys, true), col("TABLE_NAME", tSys, false), col("TABLE_TYPE", vc(10), true),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, t := range sc.Tables(db) {
			out = append(out, []engine.Value{db.Name(), t.Schema, t.Name, "BASE TABLE"})
		}
		return out, nil
	})
	r.View("INFORMATION_SCHEMA", "COLUMNS", []engine.Column{
		col("TABLE_CATALOG", tSys, true), col("TABLE_SCHEMA", tSys, true), col("TABLE_NAME", tSys, false),
		col("COLUMN_NAME", tSys, true), col("ORDINAL_POSITION", tInt, true), col("COLUMN_DEFAULT", nv(4000), true),
		col("IS_NULLABLE", vc(3), true), col("DATA_TYPE", nv(128), true), col("CHARACTER_MAXIMUM_LENGTH", tInt, true),
		col("CHARACTER_OCTET_LENGTH", tInt, true), col("NUMERIC_PRECISION", tTiny, true), col("NUMERIC_SCALE", tInt, true),
		col("DATETIME_PRECISION", tSm, true), col("COLLATION_NAME", tSys, true),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, t := range sc.Tables(db) {
			for i, c := range t.Cols {
				var def, cml, col, np, ns, dp, coll engine.Value
				if c.Default != "" {
					def = "(" + c.Default + ")"
				}
				if c.Type.Kind.IsString() || c.Type.Kind.IsBinary() {
					cml = int64(c.Type.Length)
					col = maxLength(c.Type)
					if c.Type.Kind.IsString() {
						coll = c.Type.Collation.Name()
					}
				}
				if c.Type.Kind.IsNumeric() && c.Type.Kind != sqltypes.KindBit {
					p, s := precisionOf(c.Type)
					np, ns = p, s
				}
				if c.Type.Kind.IsDateTime() {
					_, s := precisionOf(c.Type)
					dp = s
				}
				nullable := "NO"
				if c.Nullable {
					nullable = "YES"
				}
				out = append(out, []engine.Value{db.Name(), t.Schema, t.Name, c.Name, int64(i + 1), def, nullable,
					strings.ToLower(c.Type.Name()), cml, col, np, ns, dp, coll})
			}
		}
		return out, nil
	})
	fileCols := []engine.Column{
		col("file_id", tInt, false), col("file_guid", tGUID, true), col("type", tTiny, false), col("type_desc", nv(60), true),
		col("data_space_id", tInt, false), col("name", tSys, false), col("physical_name", nv(260), false),
		col("state", tTiny, true), col("state_desc", nv(60), true), col("size", tInt, false), col("max_size", tInt, false),
		col("growth", tInt, false), col("is_read_only", tBit, true),
	}
	fileRow := func(m engine.DBMeta, f engine.DBFile) []engine.Value {
		typeDesc, ds, max := "ROWS", int64(1), int64(-1)
		if f.Type == 1 {
			typeDesc, ds, max = "LOG", int64(0), int64(268435456)
		}
		st := m.State
		return []engine.Value{int64(f.FileID), nil, int64(f.Type), typeDesc, ds, f.Name, f.Physical, int64(st), st.String(),
			f.SizePages, max, int64(8192), m.ReadOnly}
	}
	r.View("sys", "database_files", fileCols, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		m := db.Meta()
		var out [][]engine.Value
		for _, f := range m.DBFiles() {
			out = append(out, fileRow(m, f))
		}
		return out, nil
	})
	r.View("sys", "master_files", append([]engine.Column{col("database_id", tInt, false)}, fileCols...), func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, d := range sc.Instance().Databases() {
			m := d.Meta()
			for _, f := range m.DBFiles() {
				out = append(out, append([]engine.Value{int64(m.ID)}, fileRow(m, f)...))
			}
		}
		return out, nil
	})
	r.View("sys", "dm_server_services", []engine.Column{
		col("servicename", nv(256), false), col("startup_type", tInt, true), col("startup_type_desc", nv(256), false),
		col("status", tInt, true), col("status_desc", nv(256), false), col("process_id", tInt, true),
		col("last_startup_time", tDT, true), col("service_account", nv(256), false), col("filename", nv(256), false),
		col("is_clustered", nv(1), false), col("cluster_nodename", nv(256), true),
		col("instant_file_initialization_enabled", nv(1), false),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		inst := sc.Instance()
		svc := "MSSQLSERVER"
		if v, ok := inst.ServerProperty("InstanceName").(string); ok {
			svc = v
		}
		agentStatus, agentDesc, agentPID, agentStart := int64(1), "Stopped", engine.Value(nil), engine.Value(nil)
		if a := inst.Agent(); a != nil && a.IsRunning() {
			agentStatus, agentDesc, agentPID, agentStart = 4, "Running", int64(4343), engine.WallClock(inst.Started())
		}
		return [][]engine.Value{
			{"SQL Server (" + svc + ")", int64(2), "Automatic", int64(4), "Running", int64(4242), engine.WallClock(inst.Started()),
				inst.Config().ServiceAccount, "/opt/mssql/bin/sqlservr", "N", nil, "Y"},
			{"SQL Server Agent (" + svc + ")", int64(2), "Automatic", agentStatus, agentDesc, agentPID, agentStart,
				inst.Config().AgentAccount, "/opt/mssql/bin/sqlagent", "N", nil, "N"},
		}, nil
	})
	mirrorCols := []engine.Column{
		col("database_id", tInt, false), col("mirroring_guid", tGUID, true), col("mirroring_state", tTiny, true),
		col("mirroring_state_desc", nv(60), true), col("mirroring_role", tTiny, true), col("mirroring_role_desc", nv(60), true),
		col("mirroring_role_sequence", tInt, true), col("mirroring_safety_level", tTiny, true),
		col("mirroring_safety_level_desc", nv(60), true), col("mirroring_safety_sequence", tInt, true),
		col("mirroring_partner_name", nv(128), true), col("mirroring_partner_instance", nv(128), true),
		col("mirroring_witness_name", nv(128), true), col("mirroring_witness_state", tTiny, true),
		col("mirroring_witness_state_desc", nv(60), true), col("mirroring_failover_lsn", tLSN, true),
		col("mirroring_connection_timeout", tInt, true), col("mirroring_redo_queue", tInt, true),
		col("mirroring_redo_queue_type", nv(60), true), col("mirroring_end_of_log_lsn", tLSN, true),
		col("mirroring_replication_lsn", tLSN, true),
	}
	r.View("sys", "database_mirroring", mirrorCols, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, d := range sc.Instance().Databases() {
			row := make([]engine.Value, len(mirrorCols))
			row[0] = int64(d.ID())
			if c := sc.Instance().MirrorController(); c != nil {
				if r := c.Row(d); r != nil {
					copy(row[1:], r)
				}
			}
			out = append(out, row)
		}
		return out, nil
	})
}

func installProcessViews(r *engine.Registry) {
	r.View("sys", "dm_exec_requests", []engine.Column{
		col("session_id", tSm, false), col("request_id", tInt, false), col("start_time", tDT, false),
		col("status", nv(30), false), col("command", nv(32), false), col("database_id", tSm, false),
		col("blocking_session_id", tSm, true), col("wait_type", nv(60), true), col("wait_time", tInt, false),
		col("open_transaction_count", tInt, false), col("percent_complete", sqltypes.TypeReal, false),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, ses := range sc.Instance().Sessions() {
			s := ses.Info()
			status, cmd, dbid, last := s.Status, s.Command, int64(s.DatabaseID), s.LastBatch
			if status != "running" && ses != sc.Session() {
				continue
			}
			if ses == sc.Session() {
				cmd = "SELECT"
			}
			out = append(out, []engine.Value{int64(s.ID), int64(0), engine.WallClock(last), "running", cmd, dbid, int64(0), nil, int64(0), int64(0), float64(0)})
		}
		return out, nil
	})
	r.View("sys", "sysprocesses", []engine.Column{
		col("spid", tSm, false), col("kpid", tSm, false), col("blocked", tSm, false), col("dbid", tSm, false),
		col("uid", tSm, true), col("login_time", tDT, false), col("last_batch", tDT, false), col("open_tran", tSm, false),
		col("status", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 30}, false), col("hostname", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 128}, false),
		col("program_name", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 128}, false), col("cmd", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 16}, false),
		col("loginame", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 128}, false),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, ses := range sc.Instance().Sessions() {
			s := ses.Info()
			status, cmd, dbid, last := s.Status, s.Command, int64(s.DatabaseID), s.LastBatch
			out = append(out, []engine.Value{int64(s.ID), int64(0), int64(0), dbid, int64(1), engine.WallClock(s.LoginTime), engine.WallClock(last), int64(0),
				status, s.Host, s.AppName, cmd, s.Login})
		}
		return out, nil
	})
	r.LegacyView("sysprocesses", "sysprocesses")
}

func nullIfEmpty(s string) engine.Value {
	if s == "" {
		return nil
	}
	return s
}

// objectRows are sys.objects' rows: tables, their key and DEFAULT
// constraints, then procedures and views. sysobjects is a view over them.
func objectRows(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
	var out [][]engine.Value
	for _, t := range sc.Tables(db) {
		out = append(out, []engine.Value{t.Name, int64(t.ID), nil, int64(1), int64(0), "U ", "USER_TABLE", t.Created, t.Created, false, false, false})
		for i, ix := range t.Indexes {
			typ, desc := "UQ", "UNIQUE_CONSTRAINT"
			if ix.Primary {
				typ, desc = "PK", "PRIMARY_KEY_CONSTRAINT"
			}
			out = append(out, []engine.Value{ix.Name, int64(t.ID*100 + i + 1), nil, int64(1), int64(t.ID), typ, desc, t.Created, t.Created, false, false, false})
		}
		for i, c := range t.Cols {
			if c.Default != "" {
				out = append(out, []engine.Value{c.DefaultName, int64(t.ID*100 + 50 + i), nil, int64(1), int64(t.ID), "D ", "DEFAULT_CONSTRAINT", t.Created, t.Created, false, false, false})
			}
		}
	}
	return append(out, moduleObjectRows(db)...), nil
}
