package engine

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// catalogView is a virtual table computed on read from the instance's
// state: it is queried with WHERE, JOIN and aliases like any table, in any
// database (db.sys.x reads database db's view).
type catalogView struct {
	id     int
	schema string
	name   string
	cols   []Column
	rows   func(sc *scope, db *Database) ([][]Value, error)
}

func col(name string, t Type, nullable bool) Column {
	return Column{Name: name, Type: t, Nullable: nullable}
}

var (
	tSys  = sqltypes.TypeSysname
	tInt  = sqltypes.TypeInt
	tSm   = sqltypes.TypeSmallInt
	tTiny = sqltypes.TypeTinyInt
	tBit  = sqltypes.TypeBit
	tBig  = sqltypes.TypeBigInt
	tDT   = sqltypes.TypeDateTime
	tGUID = sqltypes.TypeGUID
	tLSN  = sqltypes.DecimalType(25, 0)
)

func nv(n int) Type { return sqltypes.NVarChar(n) }
func vc(n int) Type { return sqltypes.VarChar(n) }

func b2v(b bool) Value { return b }

// DBFile is one database file as sys.database_files shows it.
type DBFile struct {
	FileID    int    `json:"file_id"`
	Type      int    `json:"type"` // 0 ROWS, 1 LOG
	Name      string `json:"name"`
	Physical  string `json:"physical"`
	SizePages int64  `json:"size"`
}

// DataPath is where the simulated instance says its files are.
const DataPath = "/var/opt/mssql/data/"

// Files returns the database's files (MOVE in RESTORE changes them via
// DBMeta.Files).
func (m DBMeta) DBFiles() []DBFile {
	if len(m.Files) > 0 {
		return m.Files
	}
	data, log := m.Name, m.Name+"_log"
	pdata, plog := DataPath+m.Name+".mdf", DataPath+m.Name+"_log.ldf"
	switch m.Name {
	case "master":
		data, log, pdata, plog = "master", "mastlog", DataPath+"master.mdf", DataPath+"mastlog.ldf"
	case "tempdb":
		data, log, pdata, plog = "tempdev", "templog", DataPath+"tempdb.mdf", DataPath+"templog.ldf"
	case "model":
		data, log, pdata, plog = "modeldev", "modellog", DataPath+"model.mdf", DataPath+"modellog.ldf"
	case "msdb":
		data, log, pdata, plog = "MSDBData", "MSDBLog", DataPath+"MSDBData.mdf", DataPath+"MSDBLog.ldf"
	}
	return []DBFile{{FileID: 1, Type: 0, Name: data, Physical: pdata, SizePages: 1024}, {FileID: 2, Type: 1, Name: log, Physical: plog, SizePages: 1024}}
}

func typeID(t Type) int64 {
	switch t.Kind {
	case sqltypes.KindTinyInt:
		return 48
	case sqltypes.KindSmallInt:
		return 52
	case sqltypes.KindInt:
		return 56
	case sqltypes.KindBigInt:
		return 127
	case sqltypes.KindBit:
		return 104
	case sqltypes.KindDecimal:
		return 106
	case sqltypes.KindFloat:
		return 62
	case sqltypes.KindReal:
		return 59
	case sqltypes.KindNVarChar:
		return 231
	case sqltypes.KindVarChar:
		return 167
	case sqltypes.KindNChar:
		return 239
	case sqltypes.KindChar:
		return 175
	case sqltypes.KindDateTime:
		return 61
	case sqltypes.KindDateTime2:
		return 42
	case sqltypes.KindDate:
		return 40
	case sqltypes.KindTime:
		return 41
	case sqltypes.KindDateTimeOffset:
		return 43
	case sqltypes.KindSmallDateTime:
		return 58
	case sqltypes.KindUniqueIdentifier:
		return 36
	case sqltypes.KindVarBinary:
		return 165
	case sqltypes.KindBinary:
		return 173
	case sqltypes.KindMoney:
		return 60
	case sqltypes.KindSmallMoney:
		return 122
	case sqltypes.KindText:
		return 35
	case sqltypes.KindNText:
		return 99
	case sqltypes.KindImage:
		return 34
	case sqltypes.KindXML:
		return 241
	case sqltypes.KindVariant:
		return 98
	}
	return 0
}

func maxLength(t Type) int64 {
	switch t.Kind {
	case sqltypes.KindTinyInt, sqltypes.KindBit:
		return 1
	case sqltypes.KindSmallInt:
		return 2
	case sqltypes.KindInt, sqltypes.KindReal:
		return 4
	case sqltypes.KindBigInt, sqltypes.KindFloat, sqltypes.KindDateTime, sqltypes.KindMoney:
		return 8
	case sqltypes.KindSmallMoney:
		return 4
	case sqltypes.KindText, sqltypes.KindNText, sqltypes.KindImage:
		return 16 // the text pointer
	case sqltypes.KindXML:
		return -1
	case sqltypes.KindVariant:
		return 8016
	case sqltypes.KindDecimal:
		switch {
		case t.Precision <= 9:
			return 5
		case t.Precision <= 19:
			return 9
		case t.Precision <= 28:
			return 13
		}
		return 17
	case sqltypes.KindDateTime2:
		return 8
	case sqltypes.KindDate:
		return 3
	case sqltypes.KindSmallDateTime:
		return 4
	case sqltypes.KindTime:
		return 5
	case sqltypes.KindDateTimeOffset:
		return 10
	case sqltypes.KindUniqueIdentifier:
		return 16
	}
	if t.Length == sqltypes.MaxLength {
		return -1
	}
	if t.Kind.IsUnicode() {
		return int64(t.Length) * 2
	}
	return int64(t.Length)
}

func precisionOf(t Type) (int64, int64) {
	switch t.Kind {
	case sqltypes.KindTinyInt:
		return 3, 0
	case sqltypes.KindSmallInt:
		return 5, 0
	case sqltypes.KindInt:
		return 10, 0
	case sqltypes.KindBigInt:
		return 19, 0
	case sqltypes.KindBit:
		return 1, 0
	case sqltypes.KindDecimal:
		return int64(t.Precision), int64(t.Scale)
	case sqltypes.KindMoney:
		return 19, 4
	case sqltypes.KindSmallMoney:
		return 10, 4
	case sqltypes.KindFloat:
		return 53, 0
	case sqltypes.KindReal:
		return 24, 0
	case sqltypes.KindDateTime:
		return 23, 3
	case sqltypes.KindDateTime2:
		return 27, int64(t.Scale)
	case sqltypes.KindDate:
		return 10, 0
	case sqltypes.KindSmallDateTime:
		return 16, 0
	case sqltypes.KindTime:
		return 16, int64(t.Scale)
	case sqltypes.KindDateTimeOffset:
		return 34, int64(t.Scale)
	}
	return 0, 0
}

// tablesOf lists the definitions of db's tables visible to the session
// (copies taken under the lock: CREATE INDEX changes a definition).
func (sc *scope) tablesOf(db *Database) []TableDef {
	db.mu.RLock()
	defer db.mu.RUnlock()
	var out []TableDef
	for _, t := range db.sortedTables() {
		if db.tablesByID[t.ID] != t && db.droppedBy[t] == sc.s.tx {
			continue
		}
		if t.createdBy == nil || t.createdBy == sc.s.tx || t.createdBy.State() == txCommitted {
			out = append(out, t.TableDef)
		}
	}
	return out
}

func installCatalogViews(r *Registry) {
	databasesView(r) // catalog_databases.go
	r.View("sys", "dm_exec_sessions", []Column{
		col("session_id", tSm, false), col("login_time", tDT, false), col("host_name", tSys, true),
		col("program_name", tSys, true), col("host_process_id", tInt, true), col("client_interface_name", tSys, true),
		col("login_name", tSys, false), col("nt_domain", tSys, true), col("nt_user_name", tSys, true),
		col("status", nv(30), false), col("cpu_time", tInt, false), col("memory_usage", tInt, false),
		col("last_request_start_time", tDT, false), col("last_request_end_time", tDT, true),
		col("reads", tBig, false), col("writes", tBig, false), col("logical_reads", tBig, false),
		col("is_user_process", tBit, false), col("transaction_isolation_level", tSm, false),
		col("database_id", tSm, false), col("open_transaction_count", tInt, false),
	}, func(sc *scope, _ *Database) ([][]Value, error) {
		var out [][]Value
		for _, s := range sc.s.inst.sessionList() {
			s.mu.Lock()
			dbid := int64(s.db.ID())
			status, last := s.status, s.lastBatch
			s.mu.Unlock()
			if s == sc.s {
				status = "running"
			}
			open := int64(0)
			if s == sc.s {
				open = int64(s.tranCount)
			}
			out = append(out, []Value{int64(s.id), wallClock(s.loginTime), nullIfEmpty(s.host), nullIfEmpty(s.appName),
				nil, "ODBC", s.login, "", "", status, int64(0), int64(2), wallClock(last), wallClock(last),
				int64(0), int64(0), int64(0), true, int64(2), dbid, open})
		}
		return out, nil
	})
	schemaCols := []Column{col("name", tSys, false), col("schema_id", tInt, false), col("principal_id", tInt, true)}
	r.View("sys", "schemas", schemaCols, func(sc *scope, _ *Database) ([][]Value, error) {
		return [][]Value{{"dbo", int64(1), int64(1)}, {"guest", int64(2), int64(2)},
			{"INFORMATION_SCHEMA", int64(3), int64(3)}, {"sys", int64(4), int64(4)}}, nil
	})
	objCols := []Column{
		col("name", tSys, false), col("object_id", tInt, false), col("principal_id", tInt, true),
		col("schema_id", tInt, false), col("parent_object_id", tInt, false), col("type", sqltypes.Type{Kind: sqltypes.KindChar, Length: 2}, true),
		col("type_desc", nv(60), true), col("create_date", tDT, false), col("modify_date", tDT, false),
		col("is_ms_shipped", tBit, false), col("is_published", tBit, false), col("is_schema_published", tBit, false),
	}
	r.View("sys", "objects", objCols, func(sc *scope, db *Database) ([][]Value, error) {
		var out [][]Value
		for _, t := range sc.tablesOf(db) {
			out = append(out, []Value{t.Name, int64(t.ID), nil, int64(1), int64(0), "U ", "USER_TABLE", t.Created, t.Created, false, false, false})
			for i, ix := range t.Indexes {
				typ, desc := "UQ", "UNIQUE_CONSTRAINT"
				if ix.Primary {
					typ, desc = "PK", "PRIMARY_KEY_CONSTRAINT"
				}
				out = append(out, []Value{ix.Name, int64(t.ID*100 + i + 1), nil, int64(1), int64(t.ID), typ, desc, t.Created, t.Created, false, false, false})
			}
			for i, c := range t.Cols {
				if c.Default != "" {
					out = append(out, []Value{c.DefaultName, int64(t.ID*100 + 50 + i), nil, int64(1), int64(t.ID), "D ", "DEFAULT_CONSTRAINT", t.Created, t.Created, false, false, false})
				}
			}
		}
		return append(out, moduleObjectRows(db)...), nil
	})
	r.View("sys", "tables", append(append([]Column{}, objCols...), col("lob_data_space_id", tInt, false), col("is_replicated", tBit, true), col("temporal_type", tTiny, true)),
		func(sc *scope, db *Database) ([][]Value, error) {
			var out [][]Value
			for _, t := range sc.tablesOf(db) {
				out = append(out, []Value{t.Name, int64(t.ID), nil, int64(1), int64(0), "U ", "USER_TABLE", t.Created, t.Created, false, false, false, int64(0), false, int64(0)})
			}
			return out, nil
		})
	r.View("sys", "columns", []Column{
		col("object_id", tInt, false), col("name", tSys, true), col("column_id", tInt, false),
		col("system_type_id", tTiny, false), col("user_type_id", tInt, false), col("max_length", tSm, false),
		col("precision", tTiny, false), col("scale", tTiny, false), col("collation_name", tSys, true),
		col("is_nullable", tBit, true), col("is_identity", tBit, false), col("is_computed", tBit, false),
		col("default_object_id", tInt, false),
	}, func(sc *scope, db *Database) ([][]Value, error) {
		var out [][]Value
		for _, t := range sc.tablesOf(db) {
			for i, c := range t.Cols {
				p, s := precisionOf(c.Type)
				var coll Value
				if c.Type.Kind.IsString() {
					coll = c.Type.Collation.Name()
				}
				def := int64(0)
				if c.Default != "" {
					def = int64(t.ID*100 + 50 + i)
				}
				out = append(out, []Value{int64(t.ID), c.Name, int64(i + 1), typeID(c.Type), typeID(c.Type), maxLength(c.Type),
					p, s, coll, c.Nullable, c.Identity, false, def})
			}
		}
		return out, nil
	})
	r.View("INFORMATION_SCHEMA", "TABLES", []Column{
		col("TABLE_CATALOG", tSys, true), col("TABLE_SCHEMA", tSys, true), col("TABLE_NAME", tSys, false), col("TABLE_TYPE", vc(10), true),
	}, func(sc *scope, db *Database) ([][]Value, error) {
		var out [][]Value
		for _, t := range sc.tablesOf(db) {
			out = append(out, []Value{db.Name(), t.Schema, t.Name, "BASE TABLE"})
		}
		return out, nil
	})
	r.View("INFORMATION_SCHEMA", "COLUMNS", []Column{
		col("TABLE_CATALOG", tSys, true), col("TABLE_SCHEMA", tSys, true), col("TABLE_NAME", tSys, false),
		col("COLUMN_NAME", tSys, true), col("ORDINAL_POSITION", tInt, true), col("COLUMN_DEFAULT", nv(4000), true),
		col("IS_NULLABLE", vc(3), true), col("DATA_TYPE", nv(128), true), col("CHARACTER_MAXIMUM_LENGTH", tInt, true),
		col("CHARACTER_OCTET_LENGTH", tInt, true), col("NUMERIC_PRECISION", tTiny, true), col("NUMERIC_SCALE", tInt, true),
		col("DATETIME_PRECISION", tSm, true), col("COLLATION_NAME", tSys, true),
	}, func(sc *scope, db *Database) ([][]Value, error) {
		var out [][]Value
		for _, t := range sc.tablesOf(db) {
			for i, c := range t.Cols {
				var def, cml, col, np, ns, dp, coll Value
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
				out = append(out, []Value{db.Name(), t.Schema, t.Name, c.Name, int64(i + 1), def, nullable,
					strings.ToLower(c.Type.Name()), cml, col, np, ns, dp, coll})
			}
		}
		return out, nil
	})
	fileCols := []Column{
		col("file_id", tInt, false), col("file_guid", tGUID, true), col("type", tTiny, false), col("type_desc", nv(60), true),
		col("data_space_id", tInt, false), col("name", tSys, false), col("physical_name", nv(260), false),
		col("state", tTiny, true), col("state_desc", nv(60), true), col("size", tInt, false), col("max_size", tInt, false),
		col("growth", tInt, false), col("is_read_only", tBit, true),
	}
	fileRow := func(m DBMeta, f DBFile) []Value {
		typeDesc, ds, max := "ROWS", int64(1), int64(-1)
		if f.Type == 1 {
			typeDesc, ds, max = "LOG", int64(0), int64(268435456)
		}
		st := m.State
		return []Value{int64(f.FileID), nil, int64(f.Type), typeDesc, ds, f.Name, f.Physical, int64(st), st.String(),
			f.SizePages, max, int64(8192), m.ReadOnly}
	}
	r.View("sys", "database_files", fileCols, func(sc *scope, db *Database) ([][]Value, error) {
		m := db.Meta()
		var out [][]Value
		for _, f := range m.DBFiles() {
			out = append(out, fileRow(m, f))
		}
		return out, nil
	})
	r.View("sys", "master_files", append([]Column{col("database_id", tInt, false)}, fileCols...), func(sc *scope, _ *Database) ([][]Value, error) {
		var out [][]Value
		for _, d := range sc.s.inst.sortedDBs() {
			m := d.Meta()
			for _, f := range m.DBFiles() {
				out = append(out, append([]Value{int64(m.ID)}, fileRow(m, f)...))
			}
		}
		return out, nil
	})
	r.View("sys", "dm_server_services", []Column{
		col("servicename", nv(256), false), col("startup_type", tInt, true), col("startup_type_desc", nv(256), false),
		col("status", tInt, true), col("status_desc", nv(256), false), col("process_id", tInt, true),
		col("last_startup_time", tDT, true), col("service_account", nv(256), false), col("filename", nv(256), false),
		col("is_clustered", nv(1), false), col("cluster_nodename", nv(256), true),
		col("instant_file_initialization_enabled", nv(1), false),
	}, func(sc *scope, _ *Database) ([][]Value, error) {
		inst := sc.s.inst
		svc := "MSSQLSERVER"
		if v, ok := inst.serverProperty("InstanceName").(string); ok {
			svc = v
		}
		agentStatus, agentDesc, agentPID, agentStart := int64(1), "Stopped", Value(nil), Value(nil)
		if a := inst.Agent(); a != nil && a.IsRunning() {
			agentStatus, agentDesc, agentPID, agentStart = 4, "Running", int64(4343), wallClock(inst.started)
		}
		return [][]Value{
			{"SQL Server (" + svc + ")", int64(2), "Automatic", int64(4), "Running", int64(4242), wallClock(inst.started),
				inst.cfg.ServiceAccount, "/opt/mssql/bin/sqlservr", "N", nil, "Y"},
			{"SQL Server Agent (" + svc + ")", int64(2), "Automatic", agentStatus, agentDesc, agentPID, agentStart,
				inst.cfg.AgentAccount, "/opt/mssql/bin/sqlagent", "N", nil, "N"},
		}, nil
	})
	mirrorCols := []Column{
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
	r.View("sys", "database_mirroring", mirrorCols, func(sc *scope, _ *Database) ([][]Value, error) {
		var out [][]Value
		for _, d := range sc.s.inst.sortedDBs() {
			row := make([]Value, len(mirrorCols))
			row[0] = int64(d.ID())
			if c := sc.s.inst.ext.mirror; c != nil {
				if r := c.Row(d); r != nil {
					copy(row[1:], r)
				}
			}
			out = append(out, row)
		}
		return out, nil
	})
}

func installProcessViews(r *Registry) {
	r.View("sys", "dm_exec_requests", []Column{
		col("session_id", tSm, false), col("request_id", tInt, false), col("start_time", tDT, false),
		col("status", nv(30), false), col("command", nv(32), false), col("database_id", tSm, false),
		col("blocking_session_id", tSm, true), col("wait_type", nv(60), true), col("wait_time", tInt, false),
		col("open_transaction_count", tInt, false), col("percent_complete", sqltypes.TypeReal, false),
	}, func(sc *scope, _ *Database) ([][]Value, error) {
		var out [][]Value
		for _, s := range sc.s.inst.sessionList() {
			s.mu.Lock()
			status, cmd, dbid, last := s.status, s.command, int64(s.db.ID()), s.lastBatch
			s.mu.Unlock()
			if status != "running" && s != sc.s {
				continue
			}
			if s == sc.s {
				cmd = "SELECT"
			}
			out = append(out, []Value{int64(s.id), int64(0), wallClock(last), "running", cmd, dbid, int64(0), nil, int64(0), int64(0), float64(0)})
		}
		return out, nil
	})
	r.View("sys", "sysprocesses", []Column{
		col("spid", tSm, false), col("kpid", tSm, false), col("blocked", tSm, false), col("dbid", tSm, false),
		col("uid", tSm, true), col("login_time", tDT, false), col("last_batch", tDT, false), col("open_tran", tSm, false),
		col("status", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 30}, false), col("hostname", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 128}, false),
		col("program_name", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 128}, false), col("cmd", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 16}, false),
		col("loginame", sqltypes.Type{Kind: sqltypes.KindNChar, Length: 128}, false),
	}, func(sc *scope, _ *Database) ([][]Value, error) {
		var out [][]Value
		for _, s := range sc.s.inst.sessionList() {
			s.mu.Lock()
			status, cmd, dbid, last := s.status, s.command, int64(s.db.ID()), s.lastBatch
			s.mu.Unlock()
			out = append(out, []Value{int64(s.id), int64(0), int64(0), dbid, int64(1), wallClock(s.loginTime), wallClock(last), int64(0),
				status, s.host, s.appName, cmd, s.login})
		}
		return out, nil
	})
	r.LegacyView("sysprocesses", "sysprocesses")
}

func nullIfEmpty(s string) Value {
	if s == "" {
		return nil
	}
	return s
}
