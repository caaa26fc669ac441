package tds

import (
	"fmt"
	"strconv"
)

// Token ids the server writes (MS-TDS 2.2.7).
const (
	TokenColMetadata  = 0x81
	TokenReturnStatus = 0x79
	TokenError        = 0xAA
	TokenInfo         = 0xAB
	TokenReturnValue  = 0xAC
	TokenLoginAck     = 0xAD
	TokenRow          = 0xD1
	TokenEnvChange    = 0xE3
	TokenDone         = 0xFD
	TokenDoneProc     = 0xFE
	TokenDoneInProc   = 0xFF
)

// DONE status bits.
const (
	DoneMore     = 0x0001
	DoneError    = 0x0002
	DoneInXact   = 0x0004
	DoneCount    = 0x0010
	DoneAttn     = 0x0020
	DoneSrvError = 0x0100
)

// CurCmd values real servers put in DONE tokens.
const (
	CurCmdNone    = 0x00
	CurCmdSelect  = 0xC1
	CurCmdInsert  = 0xC3
	CurCmdDelete  = 0xC4
	CurCmdUpdate  = 0xC5
	CurCmdExecute = 0xE0
)

// ENVCHANGE types this package writes.
const (
	EnvDatabase      = 1
	EnvLanguage      = 2
	EnvPacketSize    = 4
	EnvCollation     = 7
	EnvBeginTran     = 8
	EnvCommitTran    = 9
	EnvRollbackTran  = 10
	EnvResetConnAck  = 18
	envMaxTokenBytes = 0xFFFF
)

// ServerError is a SQL Server message (ERROR or INFO token). Its layout
// matches sqlerr.Error, so the glue can convert a *sqlerr.Error with a
// plain pointer conversion. Return one from Handler methods to have it
// sent as an ERROR token.
type ServerError struct {
	Number  int32
	State   uint8
	Class   uint8 // severity: <= 10 informational, >= 11 error
	Message string
	Server  string // empty: Options.ServerName
	Proc    string
	Line    int32
}

func (e *ServerError) Error() string {
	return fmt.Sprintf("mssql error %d (class %d, state %d, line %d): %s", e.Number, e.Class, e.State, e.Line, e.Message)
}

// LoginFailed is SQL Server's error for rejected credentials (18456,
// class 14, state 1 as clients see it; the real reason is only logged).
func LoginFailed(user string) *ServerError {
	return &ServerError{Number: 18456, Class: 14, State: 1, Message: "Login failed for user '" + user + "'."}
}

// protocolError is the reply to a request the server cannot decode.
func protocolError(detail string) *ServerError {
	return &ServerError{Number: 4002, Class: 16, State: 1,
		Message: "The incoming tabular data stream (TDS) protocol stream is incorrect. " + detail}
}

// Column describes one result-set column.
type Column struct {
	Name     string
	Type     TypeInfo
	Nullable bool
}

// Done is a DONE, DONEPROC or DONEINPROC token.
type Done struct {
	Token    byte   // TokenDone, TokenDoneProc or TokenDoneInProc; 0 means TokenDone
	Status   uint16 // DoneError, DoneCount, DoneInXact...; the writer owns DoneMore
	CurCmd   uint16
	RowCount uint64
}

// ReturnValue is an OUTPUT parameter's value after a procedure call.
type ReturnValue struct {
	Ordinal uint16
	Name    string // exactly as the client sent it, '@' included: go-mssqldb drops the first character
	UDF     bool   // value is a user-defined function's return value (status 2) rather than an OUTPUT parameter (1)
	Type    TypeInfo
	Value   any
}

// appendDoneLevel writes DONE, DONEPROC or DONEINPROC for a client at TDS
// level: the row count is 8 bytes from TDS 7.2 on, 4 bytes before.
func appendDoneLevel(b []byte, d Done, level int) []byte {
	tok := d.Token
	if tok == 0 {
		tok = TokenDone
	}
	b = append(b, tok)
	b = appendU16(b, d.Status)
	b = appendU16(b, d.CurCmd)
	if level != 0 && level < Level72 {
		return appendU32(b, uint32(min(d.RowCount, 0xFFFFFFFF)))
	}
	return appendU64(b, d.RowCount)
}

// appendMessage writes an INFO or ERROR token.
func appendMessage(b []byte, tok byte, e *ServerError, server string) ([]byte, error) {
	if e.Server != "" {
		server = e.Server
	}
	start := len(b)
	b = append(b, tok, 0, 0)
	b = appendU32(b, uint32(e.Number))
	b = append(b, e.State, e.Class)
	var err error
	if b, err = appendUSVarChar(b, e.Message, "message text"); err != nil {
		return b[:start], err
	}
	if b, err = appendBVarChar(b, server, "server name"); err != nil {
		return b[:start], err
	}
	if b, err = appendBVarChar(b, e.Proc, "procedure name"); err != nil {
		return b[:start], err
	}
	b = appendU32(b, uint32(e.Line))
	return patchLen16(b, start)
}

// patchLen16 fills the USHORT length after the token byte at start.
func patchLen16(b []byte, start int) ([]byte, error) {
	n := len(b) - start - 3
	if n > envMaxTokenBytes {
		return b[:start], fmt.Errorf("tds: token 0x%02X is %d bytes, the length field holds 65535", b[start], n)
	}
	b[start+1], b[start+2] = byte(n), byte(n>>8)
	return b, nil
}

// appendEnvString writes an ENVCHANGE whose values are B_VARCHARs.
func appendEnvString(b []byte, typ byte, newVal, oldVal string) ([]byte, error) {
	start := len(b)
	b = append(b, TokenEnvChange, 0, 0, typ)
	var err error
	if b, err = appendBVarChar(b, newVal, "new value"); err != nil {
		return b[:start], err
	}
	if b, err = appendBVarChar(b, oldVal, "old value"); err != nil {
		return b[:start], err
	}
	return patchLen16(b, start)
}

// appendEnvBytes writes an ENVCHANGE whose values are B_VARBYTEs
// (collation, transaction descriptors).
func appendEnvBytes(b []byte, typ byte, newVal, oldVal []byte) []byte {
	n := 1 + 1 + len(newVal) + 1 + len(oldVal)
	b = append(b, TokenEnvChange, byte(n), byte(n>>8), typ, byte(len(newVal)))
	b = append(b, newVal...)
	b = append(b, byte(len(oldVal)))
	return append(b, oldVal...)
}

func appendEnvPacketSize(b []byte, newSize, oldSize int) []byte {
	b, _ = appendEnvString(b, EnvPacketSize, strconv.Itoa(newSize), strconv.Itoa(oldSize))
	return b
}

func appendEnvTran(b []byte, typ byte, desc uint64) []byte {
	var d [8]byte
	for i := range d {
		d[i] = byte(desc >> (8 * i))
	}
	if typ == EnvBeginTran {
		return appendEnvBytes(b, typ, d[:], nil)
	}
	return appendEnvBytes(b, typ, nil, d[:])
}

// appendLoginAck writes LOGINACK. The TDS version is big-endian on the
// wire here, unlike everywhere else.
func appendLoginAck(b []byte, tdsVersion uint32, progName string, v ServerVersion) ([]byte, error) {
	start := len(b)
	b = append(b, TokenLoginAck, 0, 0, 1) // interface 1 = SQL_TSQL
	b = append(b, byte(tdsVersion>>24), byte(tdsVersion>>16), byte(tdsVersion>>8), byte(tdsVersion))
	var err error
	if b, err = appendBVarChar(b, progName, "program name"); err != nil {
		return b[:start], err
	}
	b = append(b, v.Major, v.Minor, byte(v.Build>>8), byte(v.Build))
	return patchLen16(b, start)
}

func appendReturnStatus(b []byte, status int32) []byte {
	return appendU32(append(b, TokenReturnStatus), uint32(status))
}

// appendColMetadata writes COLMETADATA for cols.
// appendUserType writes a column's UserType: a ULONG from TDS 7.2 on, a
// USHORT before.
func appendUserType(b []byte, level int) []byte {
	if level != 0 && level < Level72 {
		return appendU16(b, 0)
	}
	return appendU32(b, 0)
}

func appendColMetadata(b []byte, cols []Column, level int) ([]byte, error) {
	start := len(b)
	if len(cols) == 0 || len(cols) > 4096 {
		return b, fmt.Errorf("tds: a result set needs 1..4096 columns, got %d", len(cols))
	}
	b = append(b, TokenColMetadata)
	b = appendU16(b, uint16(len(cols)))
	var err error
	for i, c := range cols {
		b = appendUserType(b, level)
		var flags uint16
		if c.Nullable {
			flags |= 0x0001
		}
		b = appendU16(b, flags)
		if b, err = appendTypeInfo(b, c.Type); err != nil {
			return b[:start], fmt.Errorf("column %d (%q): %w", i+1, c.Name, err)
		}
		switch c.Type.ID {
		case TypeText, TypeNText, TypeImage:
			// TableName (MS-TDS 2.2.7.4): from TDS 7.2 NumParts and the
			// parts, in 7.1 one US_VARCHAR. Empty: the simulator names no
			// table (SQL Server does for a column of a table; clients use
			// it only for WRITETEXT, which is not offered).
			if level >= Level72 {
				b = append(b, 0)
			} else {
				b = appendU16(b, 0)
			}
		}
		if b, err = appendBVarChar(b, c.Name, "column name"); err != nil {
			return b[:start], fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	return b, nil
}

// appendRow writes a ROW; the whole row or nothing.
func appendRow(b []byte, cols []Column, vals []any) ([]byte, error) {
	if len(vals) != len(cols) {
		return b, fmt.Errorf("tds: row has %d values for %d columns", len(vals), len(cols))
	}
	start := len(b)
	b = append(b, TokenRow)
	var err error
	for i, c := range cols {
		if b, err = appendValue(b, c.Type, vals[i]); err != nil {
			return b[:start], fmt.Errorf("column %d (%q): %w", i+1, c.Name, err)
		}
	}
	return b, nil
}

func appendReturnValue(b []byte, rv ReturnValue, level int) ([]byte, error) {
	start := len(b)
	b = append(b, TokenReturnValue)
	b = appendU16(b, rv.Ordinal)
	var err error
	if b, err = appendBVarChar(b, rv.Name, "parameter name"); err != nil {
		return b[:start], err
	}
	status := byte(0x01)
	if rv.UDF {
		status = 0x02
	}
	b = append(b, status)
	b = appendUserType(b, level)
	b = appendU16(b, 0x0001) // Flags: nullable
	if b, err = appendTypeInfo(b, rv.Type); err != nil {
		return b[:start], fmt.Errorf("return value %q: %w", rv.Name, err)
	}
	if b, err = appendValue(b, rv.Type, rv.Value); err != nil {
		return b[:start], fmt.Errorf("return value %q: %w", rv.Name, err)
	}
	return b, nil
}
