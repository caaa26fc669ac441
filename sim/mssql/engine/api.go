// Package engine is the SQL Server instance model of the simulator: logins,
// sessions, databases, catalog views, execution of parsed T-SQL and the error
// catalogue. It knows nothing about the wire: the sim/mssql package adapts a
// Session to TDS, so the same engine can sit behind any transport (and tests
// can drive it directly).
//
// This file is the contract between the engine and its transports. Keep it
// small and stable; everything else in the package is free to change.
package engine

import (
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Aliases keep the transport contract in one place while the definitions live
// in the layers that own them.
type (
	Kind    = sqltypes.Kind
	Type    = sqltypes.Type
	Value   = sqltypes.Value
	Decimal = sqltypes.Decimal
	GUID    = sqltypes.GUID
	Error   = sqlerr.Error
	// Column describes one column of a result set (the query compiler's).
	Column = query.Column
)

// DoneInfo closes one statement.
type DoneInfo struct {
	Count    int64  // rows affected or returned
	HasCount bool   // Count is meaningful (SET NOCOUNT OFF and a counting statement)
	Error    bool   // the statement failed
	CurCmd   uint16 // TDS current-command code: 0xC1 SELECT, 0xC3 INSERT, 0xC4 DELETE, 0xC5 UPDATE, 0xE0 EXECUTE, 0 otherwise
	InProc   bool   // statement ran inside a stored procedure (DONEINPROC on the wire)
	InXact   bool   // a transaction is open after the statement (DONE_INXACT, 0x04)
}

// EnvType is the kind of an environment change the client must learn about.
type EnvType uint8

const (
	EnvDatabase EnvType = iota + 1 // USE, login database
	EnvBeginTran
	EnvCommitTran
	EnvRollbackTran
)

// EnvChange reports a change of session environment.
type EnvChange struct {
	Type     EnvType
	Old, New string // database names for EnvDatabase
	TranDesc uint64 // transaction descriptor for the Tran types (non-zero)
}

// ReturnValue is an OUTPUT parameter's value after a procedure call.
type ReturnValue struct {
	Ordinal int
	Name    string // exactly as the caller sent it, '@' included
	Type    Type
	Value   Value
}

// Results receives everything a request produces, in order. The transport
// decides how it is framed (DONE vs DONEINPROC, the MORE bit, packet flushes).
// A non-nil error from a method means the client is gone: the engine stops
// the request.
type Results interface {
	Columns(cols []Column) error
	Row(vals []Value) error
	Done(d DoneInfo) error
	Message(m *Error) error
	EnvChange(c EnvChange) error
	ReturnStatus(status int32) error
	ReturnValue(v ReturnValue) error
}

// Param is one RPC parameter as the transport decoded it.
type Param struct {
	Name   string // "@p1", "" for positional
	Type   Type
	Value  Value
	Output bool
}

// RPCCall is a remote procedure call: sp_executesql (the transport resolves
// procedure ids to names), or any procedure by name.
type RPCCall struct {
	Name   string
	Params []Param
}

// LoginRequest is what a client presents at login.
type LoginRequest struct {
	User       string
	Password   string
	Database   string // initial database, "" for the login's default
	AppName    string // becomes sys.dm_exec_sessions.program_name
	HostName   string
	ClientAddr string
	// LocalAddr (the listener's host:port the client reached), TDSVersion
	// and PacketSize describe the connection for sys.dm_exec_connections;
	// AuthScheme is "SQL" (the default) or "NTLM".
	LocalAddr  string
	TDSVersion uint32
	PacketSize int
	AuthScheme string
	// Windows says User is a Windows account the transport authenticated
	// (SSPI/NTLM): no password is checked, the account must have a
	// Windows login (Config.WindowsLogins or CREATE LOGIN ... FROM WINDOWS).
	Windows bool
	// Encrypted says the connection is encrypted in full (TLS after the
	// login too): sys.dm_exec_connections.encrypt_option.
	Encrypted bool
}
