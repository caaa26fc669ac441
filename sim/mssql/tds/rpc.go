package tds

import "fmt"

// Well-known procedure ids a client may send instead of a name.
const (
	ProcCursor          = 1
	ProcCursorOpen      = 2
	ProcCursorPrepare   = 3
	ProcCursorExecute   = 4
	ProcCursorPrepExec  = 5
	ProcCursorUnprepare = 6
	ProcCursorFetch     = 7
	ProcCursorOption    = 8
	ProcCursorClose     = 9
	ProcExecuteSQL      = 10
	ProcPrepare         = 11
	ProcExecute         = 12
	ProcPrepExec        = 13
	ProcPrepExecRPC     = 14
	ProcUnprepare       = 15
)

var procNames = [...]string{
	ProcCursor:          "sp_cursor",
	ProcCursorOpen:      "sp_cursoropen",
	ProcCursorPrepare:   "sp_cursorprepare",
	ProcCursorExecute:   "sp_cursorexecute",
	ProcCursorPrepExec:  "sp_cursorprepexec",
	ProcCursorUnprepare: "sp_cursorunprepare",
	ProcCursorFetch:     "sp_cursorfetch",
	ProcCursorOption:    "sp_cursoroption",
	ProcCursorClose:     "sp_cursorclose",
	ProcExecuteSQL:      "sp_executesql",
	ProcPrepare:         "sp_prepare",
	ProcExecute:         "sp_execute",
	ProcPrepExec:        "sp_prepexec",
	ProcPrepExecRPC:     "sp_prepexecrpc",
	ProcUnprepare:       "sp_unprepare",
}

// ProcName maps a well-known procedure id to its name ("" if unknown).
func ProcName(id uint16) string {
	if int(id) < len(procNames) {
		return procNames[id]
	}
	return ""
}

// RPC option flags.
const (
	RPCWithRecompile  = 0x0001
	RPCNoMetadata     = 0x0002
	RPCReuseMetadata  = 0x0004
	ParamByRef        = 0x01 // OUTPUT parameter
	ParamDefault      = 0x02 // use the parameter's default value
	ParamEncrypted    = 0x08 // Always Encrypted; not supported
	maxParamNameChars = 128
)

// RPC is a remote procedure call request.
type RPC struct {
	// ProcID is the well-known id when the client sent one (10 for
	// sp_executesql), else 0. ProcName is always set: the name sent, or
	// the well-known name for the id.
	ProcID   uint16
	ProcName string
	Options  uint16
	Params   []Param
}

// Param is one RPC parameter.
type Param struct {
	// Name as sent, '@' included; go-mssqldb sends "" for positional
	// arguments and for sp_executesql's statement and declaration.
	Name   string
	Status byte
	Type   TypeInfo
	Value  any // nil for NULL
}

// Output reports an OUTPUT (by-reference) parameter.
func (p *Param) Output() bool { return p.Status&ParamByRef != 0 }

// DecodeRPC decodes an RPC payload (ALL_HEADERS included).
func DecodeRPC(payload []byte) (*RPC, error) {
	r := &reader{b: payload}
	if _, err := readAllHeaders(r); err != nil {
		return nil, fmt.Errorf("rpc: %w", err)
	}
	return readRPC(r)
}

func readRPC(r *reader) (*RPC, error) {
	rpc := &RPC{}
	n := r.u16("procedure name length")
	if n == 0xFFFF {
		rpc.ProcID = r.u16("procedure id")
		rpc.ProcName = ProcName(rpc.ProcID)
		if r.err == nil && rpc.ProcName == "" {
			return nil, fmt.Errorf("rpc: %w: unknown procedure id %d", ErrMalformed, rpc.ProcID)
		}
	} else {
		rpc.ProcName = decodeUTF16(r.bytes(2*int(n), "procedure name"))
	}
	rpc.Options = r.u16("option flags")
	if r.err != nil {
		return nil, fmt.Errorf("rpc: %w", r.err)
	}
	if r.remaining() > 0 {
		rpc.Params = make([]Param, 0, 8) // one allocation for a typical call
	}
	for r.remaining() > 0 {
		i := len(rpc.Params) + 1
		if c := r.b[r.off]; c > maxParamNameChars {
			// 0x80 (TDS < 7.2), 0xFF and 0xFE separate batched RPCs; a
			// real parameter name is at most 128 characters.
			return nil, fmt.Errorf("rpc %s: %w: parameter %d: byte 0x%02X: batched RPC requests are not supported", rpc.ProcName, ErrMalformed, i, c)
		}
		var p Param
		p.Name = r.bVarChar("parameter name")
		p.Status = r.u8("parameter status")
		if r.err == nil && p.Status&ParamEncrypted != 0 {
			return nil, fmt.Errorf("rpc %s: %w: parameter %d (%q) is encrypted (Always Encrypted is not supported)", rpc.ProcName, ErrMalformed, i, p.Name)
		}
		p.Type = readTypeInfo(r)
		p.Value = readValue(r, p.Type)
		if r.err != nil {
			return nil, fmt.Errorf("rpc %s: parameter %d (%q): %w", rpc.ProcName, i, p.Name, r.err)
		}
		rpc.Params = append(rpc.Params, p)
	}
	return rpc, nil
}
