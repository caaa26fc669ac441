package catalog

import (
	"net"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// installClientCatalog adds what client tools read about the server:
// sp_databases, sys.dm_exec_connections, sysobjects and syscomments.
func installClientCatalog(r *engine.Registry) {
	r.Procedure("sp_databases", engine.SystemProc{Run: spDatabases})
	r.View("sys", "dm_exec_connections", []engine.Column{
		col("session_id", tInt, true), col("most_recent_session_id", tInt, true), col("connect_time", tDT, false),
		col("net_transport", nv(40), false), col("protocol_type", nv(40), true), col("protocol_version", tInt, true),
		col("endpoint_id", tInt, true), col("encrypt_option", nv(40), false), col("auth_scheme", nv(40), false),
		col("node_affinity", tSm, false), col("num_reads", tInt, true), col("num_writes", tInt, true),
		col("last_read", tDT, true), col("last_write", tDT, true), col("net_packet_size", tInt, true),
		col("client_net_address", vc(48), true), col("client_tcp_port", tInt, true),
		col("local_net_address", vc(48), true), col("local_tcp_port", tInt, true),
		col("connection_id", tGUID, false), col("parent_connection_id", tGUID, true),
		col("most_recent_sql_handle", sqltypes.VarBinary(64), true),
	}, func(sc *engine.Scope, _ *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, ses := range sc.Instance().Sessions() {
			s := ses.Info()
			last := s.LastBatch
			c := s.Conn
			chost, cport := splitHostPort(s.ClientAddr)
			lhost, lport := splitHostPort(c.LocalAddr)
			auth, enc := c.AuthScheme, "FALSE"
			if auth == "" {
				auth = "SQL"
			}
			if c.Encrypted {
				enc = "TRUE"
			}
			var ver, psize engine.Value
			if c.TDSVersion != 0 {
				ver = int64(c.TDSVersion)
			}
			if c.PacketSize != 0 {
				psize = int64(c.PacketSize)
			}
			// Endpoint 4 is "TSQL Default TCP", the endpoint TCP clients reach.
			out = append(out, []engine.Value{int64(s.ID), int64(s.ID), engine.WallClock(s.LoginTime), "TCP", "TSQL", ver,
				int64(4), enc, auth, int64(0), nil, nil, engine.WallClock(last), engine.WallClock(last), psize,
				chost, cport, lhost, lport, c.ID, nil, nil})
		}
		return out, nil
	})
}

// splitHostPort gives an address's host and numeric port, NULLs when it is
// not host:port.
func splitHostPort(addr string) (engine.Value, engine.Value) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return host, nil
	}
	return host, int64(p)
}

// spDatabases is sp_databases: every database the session can use, its
// size in kilobytes (all files) and a NULL remark.
func spDatabases(pc *engine.ProcCall) (int32, error) {
	cols := []engine.Column{col("DATABASE_NAME", tSys, false), col("DATABASE_SIZE", tInt, true), col("REMARKS", vc(254), true)}
	var rows [][]engine.Value
	for _, d := range pc.Instance().Databases() {
		m := d.Meta()
		if m.State != engine.StateOnline {
			continue
		}
		var kb int64
		for _, f := range m.DBFiles() {
			kb += f.SizePages * 8
		}
		rows = append(rows, []engine.Value{d.Name(), kb, nil})
	}
	sort.Slice(rows, func(i, j int) bool {
		return strings.ToLower(rows[i][0].(string)) < strings.ToLower(rows[j][0].(string))
	})
	return 0, pc.Result(cols, rows)
}

// installCompatibilityViews adds sysobjects and syscomments, the SQL
// Server 2000 views old DBA scripts still query (Microsoft's "Mapping
// System Tables to System Views"): sysobjects over sys.objects' rows,
// syscomments over the definitions the simulator keeps (DEFAULT
// constraints; it has no procedures, views or triggers).
func installCompatibilityViews(r *engine.Registry) {
	char2 := sqltypes.Type{Kind: sqltypes.KindChar, Length: 2}
	r.View("sys", "sysobjects", []engine.Column{
		col("name", tSys, false), col("id", tInt, false), col("xtype", char2, false), col("uid", tSm, true),
		col("info", tSm, true), col("status", tInt, true), col("base_schema_ver", tInt, true), col("replinfo", tInt, true),
		col("parent_obj", tInt, false), col("crdate", tDT, false), col("ftcatid", tSm, true), col("schema_ver", tInt, true),
		col("stats_schema_ver", tInt, true), col("type", char2, true), col("userstat", tSm, true), col("sysstat", tSm, true),
		col("indexdel", tSm, true), col("refdate", tDT, false), col("version", tInt, true), col("deltrig", tInt, true),
		col("instrig", tInt, true), col("updtrig", tInt, true), col("seltrig", tInt, true), col("category", tInt, true),
		col("cache", tSm, true),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		objs, err := objectRows(sc, db)
		if err != nil {
			return nil, err
		}
		var out [][]engine.Value
		for _, o := range objs {
			// sys.objects: name, object_id, principal_id, schema_id,
			// parent_object_id, type, type_desc, create_date, ...
			xtype := o[5].(string)
			typ := xtype
			if xtype == "PK" || xtype == "UQ" {
				typ = "K " // keys are type K, their xtype says which
			}
			z := int64(0)
			out = append(out, []engine.Value{o[0], o[1], xtype, o[3], z, z, z, z, o[4], o[7], z, z, z, typ, z, z, z,
				o[7], z, z, z, z, z, z, z})
		}
		return out, nil
	})
	r.LegacyView("sysobjects", "sysobjects")
	r.View("sys", "syscomments", []engine.Column{
		col("id", tInt, false), col("number", tSm, true), col("colid", tSm, false), col("status", tSm, false),
		col("ctext", sqltypes.VarBinary(8000), false), col("texttype", tSm, true), col("language", tSm, true),
		col("encrypted", tBit, false), col("compressed", tBit, false), col("text", nv(4000), true),
	}, func(sc *engine.Scope, db *engine.Database) ([][]engine.Value, error) {
		var out [][]engine.Value
		for _, t := range sc.Tables(db) {
			for i, c := range t.Cols {
				if c.Default == "" {
					continue
				}
				text := "(" + c.Default + ")"
				out = append(out, []engine.Value{int64(t.ID*100 + 50 + i), int64(0), int64(1), int64(0),
					utf16le(text), int64(2), int64(0), false, false, text})
			}
		}
		return out, nil
	})
	r.LegacyView("syscomments", "syscomments")
}

// utf16le is text as nvarchar bytes (syscomments.ctext).
func utf16le(s string) []byte {
	var b []byte
	for _, r := range utf16.Encode([]rune(s)) {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}
