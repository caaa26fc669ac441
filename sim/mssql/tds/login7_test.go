package tds

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// encodeLogin7 builds a LOGIN7 payload the way clients do (test helper).
func encodeLogin7(l *Login7) []byte {
	b := make([]byte, Login7HeaderSize)
	le := binary.LittleEndian
	le.PutUint32(b[4:], l.TDSVersion)
	le.PutUint32(b[8:], l.PacketSize)
	le.PutUint32(b[12:], l.ClientProgVer)
	le.PutUint32(b[16:], l.ClientPID)
	le.PutUint32(b[20:], l.ConnectionID)
	b[24], b[25], b[26], b[27] = l.OptionFlags1, l.OptionFlags2, l.TypeFlags, l.OptionFlags3
	le.PutUint32(b[28:], uint32(l.ClientTimeZone))
	le.PutUint32(b[32:], l.ClientLCID)
	copy(b[72:78], l.ClientID[:])
	put := func(at int, s string, mangle bool) {
		raw := appendUTF16(nil, s)
		if mangle {
			raw = manglePassword(raw)
		}
		le.PutUint16(b[at:], uint16(len(b)))
		le.PutUint16(b[at+2:], uint16(len(raw)/2))
		b = append(b, raw...)
	}
	put(36, l.HostName, false)
	put(40, l.UserName, false)
	put(44, l.Password, true)
	put(48, l.AppName, false)
	put(52, l.ServerName, false)
	put(60, l.LibName, false)
	put(64, l.Language, false)
	put(68, l.Database, false)
	le.PutUint16(b[78:], uint16(len(b)))
	le.PutUint16(b[80:], uint16(len(l.SSPI)))
	b = append(b, l.SSPI...)
	put(82, l.AtchDBFile, false)
	put(86, l.ChangePassword, true)
	if len(l.FeatureExt) > 0 {
		ptr := len(b)
		le.PutUint16(b[56:], uint16(ptr))
		le.PutUint16(b[58:], 4)
		b = append(b, 0, 0, 0, 0)
		le.PutUint32(b[ptr:], uint32(len(b)))
		for _, f := range l.FeatureExt {
			b = append(b, f.ID)
			b = le.AppendUint32(b, uint32(len(f.Data)))
			b = append(b, f.Data...)
		}
		b = append(b, 0xFF)
	}
	le.PutUint32(b[0:], uint32(len(b)))
	return b
}

func sampleLogin() *Login7 {
	return &Login7{
		TDSVersion: VerTDS74, PacketSize: 8192, ClientProgVer: 0x01000000, ClientPID: 42,
		OptionFlags1: 0xA0, OptionFlags2: 0x02, OptionFlags3: Login7Flag3Extension, ClientTimeZone: -60, ClientLCID: 0x409,
		HostName: "host1", UserName: "sa", Password: "pä$$w0rd😀", AppName: "go-mssqldb", ServerName: "127.0.0.1",
		LibName: "go-mssqldb", Language: "us_english", Database: "mgc", ClientID: [6]byte{1, 2, 3, 4, 5, 6},
		SSPI: []byte{0xAA, 0xBB}, AtchDBFile: "", ChangePassword: "new",
		FeatureExt: []FeatureExt{{ID: 0x0A, Data: []byte{1}}},
	}
}

func TestParseLogin7RoundTrip(t *testing.T) {
	want := sampleLogin()
	got, err := ParseLogin7(encodeLogin7(want))
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() || got.Password != want.Password || got.ChangePassword != want.ChangePassword ||
		got.ClientID != want.ClientID || !bytes.Equal(got.SSPI, want.SSPI) || got.ClientTimeZone != -60 ||
		len(got.FeatureExt) != 1 || got.FeatureExt[0].ID != 0x0A || !bytes.Equal(got.FeatureExt[0].Data, []byte{1}) {
		t.Errorf("got %#v / %+v, want %#v", got, got.FeatureExt, want)
	}
	if strings.Contains(got.String(), "w0rd") {
		t.Error("String() shows the password")
	}
}

func TestParseLogin7Errors(t *testing.T) {
	good := encodeLogin7(sampleLogin())
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	le := binary.LittleEndian
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		{"short", good[:50], "fixed header alone is 94"},
		{"length field too big", mut(func(b []byte) []byte { le.PutUint32(b, uint32(len(b)+1)); return b }), "Length field"},
		{"length field too small", mut(func(b []byte) []byte { le.PutUint32(b, 10); return b }), "Length field"},
		{"user name past the end", mut(func(b []byte) []byte { le.PutUint16(b[42:], 0x7FFF); return b }), "UserName at offset"},
		{"password offset inside header", mut(func(b []byte) []byte { le.PutUint16(b[44:], 10); return b }), "Password at offset 10"},
		{"database past the end", mut(func(b []byte) []byte { le.PutUint16(b[68:], uint16(len(b))); return b }), "Database at offset"},
		{"sspi long", mut(func(b []byte) []byte { le.PutUint16(b[80:], 0xFFFF); le.PutUint32(b[90:], 1<<30); return b }), "SSPI"},
		{"extension pointer outside", mut(func(b []byte) []byte { le.PutUint16(b[56:], 0xFFF0); return b }), "extension pointer"},
		{"feature ext without terminator", mut(func(b []byte) []byte { return b[:len(b)-1] }), "Length field"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseLogin7(c.msg)
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v, want a malformed error containing %q", err, c.want)
			}
		})
	}
	// A FeatureExt block missing its terminator, with a consistent Length.
	b := mut(func(b []byte) []byte { b = b[:len(b)-1]; le.PutUint32(b, uint32(len(b))); return b })
	if _, err := ParseLogin7(b); err == nil || !strings.Contains(err.Error(), "terminator") {
		t.Errorf("unterminated FeatureExt: got %v", err)
	}
}

func TestPasswordObfuscation(t *testing.T) {
	// "a" in UTF-16LE is 61 00; the client swaps nibbles (16 00) and XORs
	// with A5 (B3 A5).
	if got := manglePassword([]byte{0x61, 0x00}); !bytes.Equal(got, []byte{0xB3, 0xA5}) {
		t.Fatalf("mangle = %x", got)
	}
	if got := demanglePassword([]byte{0xB3, 0xA5}); !bytes.Equal(got, []byte{0x61, 0x00}) {
		t.Fatalf("demangle = %x", got)
	}
}

// goMssqldbPrelogin is the PRELOGIN go-mssqldb v1.11 sends (VERSION,
// ENCRYPTION=NOT_SUP, INSTOPT "", THREADID, MARS, TRACEID).
func goMssqldbPrelogin() []byte {
	opts := []PreloginOption{
		{PreloginVersion, []byte{1, 11, 0, 2, 0, 0}},
		{PreloginEncryption, []byte{EncryptNotSup}},
		{PreloginInstOpt, []byte("MSSQLServer\x00")},
		{PreloginThreadID, []byte{0, 0, 0x12, 0x34}},
		{PreloginMARS, []byte{0}},
		{PreloginTraceID, bytes.Repeat([]byte{0x11}, 36)},
	}
	return encodePrelogin(opts)
}

func encodePrelogin(opts []PreloginOption) []byte {
	var b []byte
	off := len(opts)*5 + 1
	for _, o := range opts {
		b = append(b, o.Token)
		b = binary.BigEndian.AppendUint16(b, uint16(off))
		b = binary.BigEndian.AppendUint16(b, uint16(len(o.Data)))
		off += len(o.Data)
	}
	b = append(b, PreloginTerminator)
	for _, o := range opts {
		b = append(b, o.Data...)
	}
	return b
}

func TestParsePrelogin(t *testing.T) {
	p, err := ParsePrelogin(goMssqldbPrelogin())
	if err != nil {
		t.Fatal(err)
	}
	if !p.HasEncryption || p.Encryption != EncryptNotSup || p.Instance != "MSSQLServer" || p.ThreadID != 0x1234 ||
		len(p.TraceID) != 36 || len(p.Options) != 6 || !bytes.Equal(p.ClientVersion, []byte{1, 11, 0, 2, 0, 0}) {
		t.Errorf("got %+v", p)
	}

	bad := []struct {
		name string
		msg  []byte
		want string
	}{
		{"empty", nil, "no terminator"},
		{"no terminator", []byte{0, 0, 5, 0, 0}, "no terminator"},
		{"truncated entry", []byte{0, 0, 6}, "truncated"},
		{"data outside", []byte{1, 0, 6, 0, 9, 0xFF}, "outside"},
		{"empty encryption", []byte{1, 0, 6, 0, 0, 0xFF}, "empty ENCRYPTION"},
	}
	for _, c := range bad {
		if _, err := ParsePrelogin(c.msg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestPreloginReply(t *testing.T) {
	b := AppendPreloginReply(nil, DefaultServerVersion, EncryptNotSup)
	p, err := ParsePrelogin(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Encryption != EncryptNotSup || p.MARS != 0 || !bytes.Equal(p.ClientVersion, []byte{16, 0, 0x03, 0xE8, 0, 6}) {
		t.Errorf("reply parsed as %+v", p)
	}
	tokens := ""
	for _, o := range p.Options {
		tokens += string(rune('0' + o.Token))
	}
	if tokens != "01234" {
		t.Errorf("reply options %q, want VERSION ENCRYPTION INSTOPT THREADID MARS", tokens)
	}
}
