package engine

import (
	"net"
	"sort"
	"strconv"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// What client tools and drivers' own tests read besides the catalog the
// failback needs (issue 14): sp_databases, sys.dm_exec_connections.

// connInfo is what sys.dm_exec_connections says about a session's
// connection.
type connInfo struct {
	local      string
	tdsVersion uint32
	packetSize int
	auth       string
	encrypted  bool
	id         GUID
}

// installClientCatalog adds what client tools read about the server:
// sp_databases and sys.dm_exec_connections.
func installClientCatalog(r *Registry) {
	r.Procedure("sp_databases", SystemProc{Run: spDatabases})
	r.View("sys", "dm_exec_connections", []Column{
		col("session_id", tInt, true), col("most_recent_session_id", tInt, true), col("connect_time", tDT, false),
		col("net_transport", nv(40), false), col("protocol_type", nv(40), true), col("protocol_version", tInt, true),
		col("endpoint_id", tInt, true), col("encrypt_option", nv(40), false), col("auth_scheme", nv(40), false),
		col("node_affinity", tSm, false), col("num_reads", tInt, true), col("num_writes", tInt, true),
		col("last_read", tDT, true), col("last_write", tDT, true), col("net_packet_size", tInt, true),
		col("client_net_address", vc(48), true), col("client_tcp_port", tInt, true),
		col("local_net_address", vc(48), true), col("local_tcp_port", tInt, true),
		col("connection_id", tGUID, false), col("parent_connection_id", tGUID, true),
		col("most_recent_sql_handle", sqltypes.VarBinary(64), true),
	}, func(sc *scope, _ *Database) ([][]Value, error) {
		var out [][]Value
		for _, s := range sc.s.inst.sessionList() {
			s.mu.Lock()
			last := s.lastBatch
			s.mu.Unlock()
			c := s.conn
			chost, cport := splitHostPort(s.clientAddr)
			lhost, lport := splitHostPort(c.local)
			auth, enc := c.auth, "FALSE"
			if auth == "" {
				auth = "SQL"
			}
			if c.encrypted {
				enc = "TRUE"
			}
			var ver, psize Value
			if c.tdsVersion != 0 {
				ver = int64(c.tdsVersion)
			}
			if c.packetSize != 0 {
				psize = int64(c.packetSize)
			}
			// Endpoint 4 is "TSQL Default TCP", the endpoint TCP clients reach.
			out = append(out, []Value{int64(s.id), int64(s.id), wallClock(s.loginTime), "TCP", "TSQL", ver,
				int64(4), enc, auth, int64(0), nil, nil, wallClock(last), wallClock(last), psize,
				chost, cport, lhost, lport, c.id, nil, nil})
		}
		return out, nil
	})
}

// splitHostPort gives an address's host and numeric port, NULLs when it is
// not host:port.
func splitHostPort(addr string) (Value, Value) {
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
func spDatabases(pc *ProcCall) (int32, error) {
	cols := []Column{col("DATABASE_NAME", tSys, false), col("DATABASE_SIZE", tInt, true), col("REMARKS", vc(254), true)}
	var rows [][]Value
	for _, d := range pc.sc.s.inst.sortedDBs() {
		m := d.Meta()
		if m.State != StateOnline {
			continue
		}
		var kb int64
		for _, f := range m.DBFiles() {
			kb += f.SizePages * 8
		}
		rows = append(rows, []Value{d.Name(), kb, nil})
	}
	sort.Slice(rows, func(i, j int) bool {
		return strings.ToLower(rows[i][0].(string)) < strings.ToLower(rows[j][0].(string))
	})
	return 0, pc.Result(cols, rows)
}
