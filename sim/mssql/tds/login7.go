package tds

import (
	"encoding/binary"
	"fmt"
)

// Login7HeaderSize is the fixed part of a LOGIN7 message; TDS 7.0 and
// 7.1 clients send the shorter Login71HeaderSize (no ChangePassword, no
// cbSSPILong).
const (
	Login7HeaderSize  = 94
	Login71HeaderSize = 86
)

// TDS versions as LOGIN7 and LOGINACK carry them (LOGINACK sends them
// big-endian; LOGIN7 little-endian).
const (
	VerTDS71  uint32 = 0x71000001
	VerTDS72  uint32 = 0x72090002
	VerTDS73A uint32 = 0x730A0003
	VerTDS73B uint32 = 0x730B0003
	VerTDS74  uint32 = 0x74000004
	VerTDS80  uint32 = 0x08000000
)

// LOGIN7 option flag bits the server acts on.
const (
	Login7Flag1UseDB      = 0x20 // OptionFlags1 fUseDB: fail login if the database cannot be used
	Login7Flag1SetLang    = 0x80 // OptionFlags1 fSetLang
	Login7Flag2Integrated = 0x80 // OptionFlags2 fIntSecurity (SSPI)
	Login7Flag3Extension  = 0x10 // OptionFlags3 fExtension: FeatureExt present
)

// FeatureExt is one LOGIN7 feature extension (e.g. UTF8_SUPPORT 0x0A).
type FeatureExt struct {
	ID   byte
	Data []byte
}

// Login7 is a decoded LOGIN7 message.
type Login7 struct {
	TDSVersion     uint32
	PacketSize     uint32
	ClientProgVer  uint32
	ClientPID      uint32
	ConnectionID   uint32
	OptionFlags1   uint8
	OptionFlags2   uint8
	TypeFlags      uint8
	OptionFlags3   uint8
	ClientTimeZone int32
	ClientLCID     uint32

	HostName   string
	UserName   string
	Password   string // de-obfuscated; never log it (String omits it)
	AppName    string
	ServerName string
	LibName    string // CltIntName, e.g. "go-mssqldb", "TDS-Library"
	Language   string
	Database   string
	ClientID   [6]byte // usually the client's MAC address

	SSPI           []byte
	AtchDBFile     string
	ChangePassword string // never log it
	FeatureExt     []FeatureExt

	// SSPIUser is the Windows account an integrated-security login
	// authenticated as (CONTOSO\svc-pchat), set by Serve after the SSPI
	// exchange; empty for a SQL Server login.
	SSPIUser string

	// Encryption is how the connection carrying this login is encrypted
	// (set by Serve, not part of the message): what
	// sys.dm_exec_connections.encrypt_option reports.
	Encryption EncryptionMode
}

// String describes the login without its secrets.
func (l Login7) String() string {
	return fmt.Sprintf("login7{tds=0x%08X user=%q app=%q host=%q server=%q lib=%q db=%q lang=%q packet=%d flags=%02X/%02X/%02X/%02X}",
		l.TDSVersion, l.UserName, l.AppName, l.HostName, l.ServerName, l.LibName, l.Database, l.Language,
		l.PacketSize, l.OptionFlags1, l.OptionFlags2, l.TypeFlags, l.OptionFlags3)
}

// loginName is who is logging in: the Windows account after SSPI, else
// the SQL login name.
func (l *Login7) loginName() string {
	if l.SSPIUser != "" {
		return l.SSPIUser
	}
	return l.UserName
}

// GoString keeps %#v from printing the password too.
func (l Login7) GoString() string { return l.String() }

// ParseLogin7 decodes a LOGIN7 payload. Every offset/length pair is checked
// against the message; a bad one is an error naming the field.
func ParseLogin7(b []byte) (*Login7, error) {
	header := Login7HeaderSize
	if len(b) >= 8 && LevelOf(binary.LittleEndian.Uint32(b[4:])) < Level72 {
		header = Login71HeaderSize
	}
	if len(b) < header {
		return nil, fmt.Errorf("login7: %w: message is %d bytes, the fixed header alone is %d", ErrMalformed, len(b), header)
	}
	le := binary.LittleEndian
	total := int(le.Uint32(b[0:]))
	if total < header || total > len(b) {
		return nil, fmt.Errorf("login7: %w: Length field %d does not fit the %d-byte message", ErrMalformed, total, len(b))
	}
	b = b[:total]
	l := &Login7{
		TDSVersion:     le.Uint32(b[4:]),
		PacketSize:     le.Uint32(b[8:]),
		ClientProgVer:  le.Uint32(b[12:]),
		ClientPID:      le.Uint32(b[16:]),
		ConnectionID:   le.Uint32(b[20:]),
		OptionFlags1:   b[24],
		OptionFlags2:   b[25],
		TypeFlags:      b[26],
		OptionFlags3:   b[27],
		ClientTimeZone: int32(le.Uint32(b[28:])),
		ClientLCID:     le.Uint32(b[32:]),
	}
	copy(l.ClientID[:], b[72:78])

	field := func(at int, name string) ([]byte, error) {
		off, cch := int(le.Uint16(b[at:])), int(le.Uint16(b[at+2:]))
		if cch == 0 {
			return nil, nil
		}
		if off < header || off+2*cch > len(b) {
			return nil, fmt.Errorf("login7: %w: %s at offset %d, %d characters, is outside the %d-byte message", ErrMalformed, name, off, cch, len(b))
		}
		return b[off : off+2*cch], nil
	}
	strs := []struct {
		at   int
		name string
		dst  *string
	}{
		{36, "HostName", &l.HostName},
		{40, "UserName", &l.UserName},
		{48, "AppName", &l.AppName},
		{52, "ServerName", &l.ServerName},
		{60, "CltIntName", &l.LibName},
		{64, "Language", &l.Language},
		{68, "Database", &l.Database},
		{82, "AtchDBFile", &l.AtchDBFile},
	}
	for _, s := range strs {
		raw, err := field(s.at, s.name)
		if err != nil {
			return nil, err
		}
		*s.dst = decodeUTF16(raw)
	}
	pws := []struct {
		at   int
		name string
		dst  *string
	}{{44, "Password", &l.Password}}
	if header == Login7HeaderSize {
		pws = append(pws, struct {
			at   int
			name string
			dst  *string
		}{86, "ChangePassword", &l.ChangePassword})
	}
	for _, p := range pws {
		raw, err := field(p.at, p.name)
		if err != nil {
			return nil, err
		}
		*p.dst = decodeUTF16(demanglePassword(raw))
	}

	// SSPI: a byte length; 0xFFFF means the DWORD cbSSPILong holds it.
	sspiOff, sspiLen := int(le.Uint16(b[78:])), int(le.Uint16(b[80:]))
	if sspiLen == 0xFFFF && header == Login7HeaderSize {
		sspiLen = int(le.Uint32(b[90:]))
	}
	if sspiLen > 0 {
		if sspiOff < header || sspiLen > len(b) || sspiOff+sspiLen > len(b) {
			return nil, fmt.Errorf("login7: %w: SSPI at offset %d, %d bytes, is outside the %d-byte message", ErrMalformed, sspiOff, sspiLen, len(b))
		}
		l.SSPI = append([]byte(nil), b[sspiOff:sspiOff+sspiLen]...)
	}

	if l.OptionFlags3&Login7Flag3Extension != 0 {
		extOff, extLen := int(le.Uint16(b[56:])), int(le.Uint16(b[58:]))
		if extLen < 4 || extOff < header || extOff+4 > len(b) {
			return nil, fmt.Errorf("login7: %w: extension pointer at offset %d, %d bytes, is outside the %d-byte message", ErrMalformed, extOff, extLen, len(b))
		}
		fe, err := parseFeatureExt(b, int(le.Uint32(b[extOff:])))
		if err != nil {
			return nil, err
		}
		l.FeatureExt = fe
	}
	return l, nil
}

func parseFeatureExt(b []byte, off int) ([]FeatureExt, error) {
	if off < Login7HeaderSize || off >= len(b) {
		return nil, fmt.Errorf("login7: %w: FeatureExt offset %d is outside the %d-byte message", ErrMalformed, off, len(b))
	}
	r := reader{b: b, off: off}
	var out []FeatureExt
	for {
		id := r.u8("FeatureExt id")
		if r.err != nil {
			return nil, fmt.Errorf("login7: %w (FeatureExt has no 0xFF terminator)", r.err)
		}
		if id == 0xFF {
			return out, nil
		}
		n := r.u32("FeatureExt length")
		if n > uint32(r.remaining()) {
			return nil, fmt.Errorf("login7: %w: feature 0x%02X claims %d bytes, %d left", ErrMalformed, id, n, r.remaining())
		}
		data := r.bytes(int(n), "FeatureExt data")
		out = append(out, FeatureExt{ID: id, Data: append([]byte(nil), data...)})
	}
}

// demanglePassword undoes the LOGIN7 password obfuscation. The client
// swaps each byte's nibbles and then XORs with 0xA5, so the server XORs
// first and swaps second.
func demanglePassword(raw []byte) []byte {
	out := make([]byte, len(raw))
	for i, c := range raw {
		c ^= 0xA5
		out[i] = c<<4 | c>>4
	}
	return out
}

// manglePassword is the client-side obfuscation, used by tests to build
// LOGIN7 messages.
func manglePassword(plain []byte) []byte {
	out := make([]byte, len(plain))
	for i, c := range plain {
		out[i] = (c<<4 | c>>4) ^ 0xA5
	}
	return out
}
