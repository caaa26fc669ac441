package engine

import (
	"time"

	"github.com/pchatdr/harness/sim/mssql/principals"
	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
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
func (inst *Instance) ServerProperty(name string) Value {
	return sessionfuncs.ServerProperty(inst.cfg.Name, name)
}

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

// TypeDesc is the module's sys.objects type_desc (VIEW,
// SQL_STORED_PROCEDURE).
func (m *ModuleDef) TypeDesc() string { return m.typeDesc() }

// ViewCheckOption says a view was created WITH CHECK OPTION
// (sys.views.with_check_option); false for a procedure or a definition
// that no longer parses.
func (m *ModuleDef) ViewCheckOption() bool {
	st, err := (&scope{}).parseViewText(m)
	return err == nil && st.CheckOption
}

// ServerPrincipals lists sa, the configured SQL and Windows logins, the
// logins CREATE LOGIN added, and the fixed server roles
// (sys.server_principals).
func (inst *Instance) ServerPrincipals() []principals.Principal {
	return inst.principals().Principals()
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
