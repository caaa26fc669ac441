package tds

import (
	"encoding/binary"
	"fmt"
)

// PRELOGIN option tokens (MS-TDS 2.2.6.5).
const (
	PreloginVersion         = 0x00
	PreloginEncryption      = 0x01
	PreloginInstOpt         = 0x02
	PreloginThreadID        = 0x03
	PreloginMARS            = 0x04
	PreloginTraceID         = 0x05
	PreloginFedAuthRequired = 0x06
	PreloginNonce           = 0x07
	PreloginTerminator      = 0xFF
)

// Encryption values of the PRELOGIN ENCRYPTION option.
const (
	EncryptOff    = 0x00
	EncryptOn     = 0x01
	EncryptNotSup = 0x02
	EncryptReq    = 0x03
)

// PreloginOption is one raw option of a PRELOGIN message.
type PreloginOption struct {
	Token byte
	Data  []byte
}

// Prelogin is a client's PRELOGIN message.
type Prelogin struct {
	// ClientVersion is the 6-byte VERSION option (driver version).
	ClientVersion []byte
	Encryption    byte
	HasEncryption bool
	Instance      string // INSTOPT without its NUL terminator
	ThreadID      uint32
	MARS          byte
	TraceID       []byte
	Options       []PreloginOption // every option, in message order
}

// ParsePrelogin decodes a PRELOGIN payload. Offsets count from the start
// of the payload; every option must lie inside it.
func ParsePrelogin(b []byte) (*Prelogin, error) {
	p := &Prelogin{}
	for i := 0; ; i++ {
		pos := i * 5
		if pos >= len(b) {
			return nil, fmt.Errorf("prelogin: %w: option table has no terminator", ErrMalformed)
		}
		tok := b[pos]
		if tok == PreloginTerminator {
			break
		}
		if pos+5 > len(b) {
			return nil, fmt.Errorf("prelogin: %w: option %d entry is truncated", ErrMalformed, i)
		}
		off := int(binary.BigEndian.Uint16(b[pos+1:]))
		n := int(binary.BigEndian.Uint16(b[pos+3:]))
		if off+n > len(b) {
			return nil, fmt.Errorf("prelogin: %w: option 0x%02X data at %d+%d is outside the %d-byte message", ErrMalformed, tok, off, n, len(b))
		}
		data := append([]byte(nil), b[off:off+n]...)
		p.Options = append(p.Options, PreloginOption{Token: tok, Data: data})
		switch tok {
		case PreloginVersion:
			p.ClientVersion = data
		case PreloginEncryption:
			if n < 1 {
				return nil, fmt.Errorf("prelogin: %w: empty ENCRYPTION option", ErrMalformed)
			}
			p.Encryption, p.HasEncryption = data[0], true
		case PreloginInstOpt:
			inst := data
			for j, c := range inst {
				if c == 0 {
					inst = inst[:j]
					break
				}
			}
			p.Instance = string(inst)
		case PreloginThreadID:
			if n >= 4 {
				p.ThreadID = binary.BigEndian.Uint32(data)
			}
		case PreloginMARS:
			if n >= 1 {
				p.MARS = data[0]
			}
		case PreloginTraceID:
			p.TraceID = data
		}
	}
	return p, nil
}

// ServerVersion is the product version a server reports in PRELOGIN and
// LOGINACK (e.g. 16.0.1000 for SQL Server 2022 RTM).
type ServerVersion struct {
	Major, Minor uint8
	Build        uint16
	SubBuild     uint16
}

// DefaultServerVersion is SQL Server 2022 (16.0.1000.6).
var DefaultServerVersion = ServerVersion{Major: 16, Minor: 0, Build: 1000, SubBuild: 6}

// AppendPreloginReply appends the server's PRELOGIN answer: VERSION,
// ENCRYPTION = encryption (NegotiateEncryption's answer; any value but
// NOT_SUP makes the client start TLS), INSTOPT 0 (instance name
// matched), an empty THREADID and MARS off.
func AppendPreloginReply(b []byte, v ServerVersion, encryption byte) []byte {
	type opt struct {
		tok  byte
		data []byte
	}
	ver := []byte{v.Major, v.Minor, byte(v.Build >> 8), byte(v.Build), byte(v.SubBuild >> 8), byte(v.SubBuild)}
	opts := [...]opt{
		{PreloginVersion, ver},
		{PreloginEncryption, []byte{encryption}},
		{PreloginInstOpt, []byte{0}},
		{PreloginThreadID, nil},
		{PreloginMARS, []byte{0}},
	}
	off := len(opts)*5 + 1
	for _, o := range opts {
		b = append(b, o.tok)
		b = binary.BigEndian.AppendUint16(b, uint16(off))
		b = binary.BigEndian.AppendUint16(b, uint16(len(o.data)))
		off += len(o.data)
	}
	b = append(b, PreloginTerminator)
	for _, o := range opts {
		b = append(b, o.data...)
	}
	return b
}
