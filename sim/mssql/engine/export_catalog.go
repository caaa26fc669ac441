package engine

import (
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// This file is the engine's surface for the catalog views, which live
// outside it (sim/mssql/catalog): what a view's rows are computed from
// (sessions and their connections, the tables and modules a session sees,
// the server's principals and properties). Each call takes its own locks
// and returns copies, so a view never holds an engine lock while it builds
// rows.

// Database ids of the system databases (sys.databases shows them; a view
// that treats system databases apart names them by these).
const (
	MasterID = masterID
	TempdbID = tempdbID
	ModelID  = modelID
	MsdbID   = msdbID
)

// SystemCreated is the create_date the system databases and principals
// show (SQL Server's setup date of its own objects).
func SystemCreated() time.Time { return systemCreated }

// Started is when the instance started (sqlserver_start_time,
// sys.dm_server_services' last_startup_time).
func (inst *Instance) Started() time.Time { return inst.started }

// ServerProperty is SERVERPROPERTY(name): NULL (nil) for a property the
// simulator does not know.
func (inst *Instance) ServerProperty(name string) Value { return inst.serverProperty(name) }

// Sessions lists the instance's sessions by session id.
func (inst *Instance) Sessions() []*Session { return inst.sessionList() }

// SessionInfo is what the process views (sys.dm_exec_sessions,
// sys.dm_exec_requests, sysprocesses, sys.dm_exec_connections) and sp_who
// show of a session: one snapshot, taken under the session's lock.
type SessionInfo struct {
	ID         int
	Login      string
	AppName    string // LOGIN7's application name
	Host       string // LOGIN7's host name
	ClientAddr string // host:port of the client, "" when unknown
	LoginTime  time.Time
	LastBatch  time.Time
	Status     string // sleeping, running, ...
	Command    string // AWAITING COMMAND, SELECT, BACKUP DATABASE, ...
	DatabaseID int    // the current database
	Database   string // its name
	Conn       ConnInfo
}

// ConnInfo is what sys.dm_exec_connections says about a session's
// connection (set at login).
type ConnInfo struct {
	LocalAddr  string
	TDSVersion uint32 // 0: not a TDS client
	PacketSize int    // 0: not a TDS client
	AuthScheme string // "" is SQL
	Encrypted  bool
	ID         GUID
}

// Info is a snapshot of s.
func (s *Session) Info() SessionInfo {
	s.mu.Lock()
	status, cmd, last, dbid, dbname := s.status, s.command, s.lastBatch, s.db.ID(), s.db.Name()
	s.mu.Unlock()
	c := s.conn
	return SessionInfo{ID: s.id, Login: s.login, AppName: s.appName, Host: s.host, ClientAddr: s.clientAddr,
		LoginTime: s.loginTime, LastBatch: last, Status: status, Command: cmd, DatabaseID: dbid, Database: dbname,
		Conn: ConnInfo{LocalAddr: c.local, TDSVersion: c.tdsVersion, PacketSize: c.packetSize,
			AuthScheme: c.auth, Encrypted: c.encrypted, ID: c.id}}
}

// TranCount is @@TRANCOUNT of the running statement's session (only the
// session itself may read it: the running request owns it).
func (sc *scope) TranCount() int { return sc.s.tranCount }

// Tables lists the definitions of db's tables the statement's session sees:
// committed tables, and its own transaction's uncommitted creates and drops
// (copies taken under the lock: CREATE INDEX changes a definition).
func (sc *scope) Tables(db *Database) []TableDef { return sc.tablesOf(db) }

// ModuleObjectRows are the sys.objects rows of d's procedures and views
// (sys.objects' column set).
func (d *Database) ModuleObjectRows() [][]Value { return moduleObjectRows(d) }

// ServerPrincipal is one row of sys.server_principals: a login or a fixed
// server role.
type ServerPrincipal struct {
	Name     string
	ID       int
	SID      []byte
	Type     string // S SQL login, U Windows login, R server role
	TypeDesc string
}

// ServerPrincipals lists sa, the configured SQL and Windows logins, the
// logins CREATE LOGIN added, and the fixed server roles.
func (inst *Instance) ServerPrincipals() []ServerPrincipal {
	var out []ServerPrincipal
	for _, p := range inst.serverPrincipals() {
		out = append(out, ServerPrincipal{Name: p.name, ID: p.id, SID: p.sid, Type: p.typ, TypeDesc: p.typDesc})
	}
	return out
}

// connInfo is the connection a session logged in over (ConnInfo's source).
type connInfo struct {
	local      string
	tdsVersion uint32
	packetSize int
	auth       string
	encrypted  bool
	id         GUID
}

// SystemTypeID is a type's system_type_id (sys.columns, sys.types).
func SystemTypeID(t Type) int64 {
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
	}
	return 0
}

// MaxLength is a type's max_length in bytes (sys.columns, sp_help): -1
// for (max).
func MaxLength(t Type) int64 { return maxLength(t) }

// PrecisionScale is a type's precision and scale as sys.columns shows them.
func PrecisionScale(t Type) (precision, scale int64) { return precisionOf(t) }

func maxLength(t Type) int64 {
	switch t.Kind {
	case sqltypes.KindTinyInt, sqltypes.KindBit:
		return 1
	case sqltypes.KindSmallInt:
		return 2
	case sqltypes.KindInt, sqltypes.KindReal:
		return 4
	case sqltypes.KindBigInt, sqltypes.KindFloat, sqltypes.KindDateTime:
		return 8
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
