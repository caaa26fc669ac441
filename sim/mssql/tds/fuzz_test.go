package tds

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"testing"
	"time"
)

// The fuzz targets check the decoders' contract for untrusted input: no
// panic, bounded work, and an error that wraps ErrMalformed (or success).

func FuzzPacketReader(f *testing.F) {
	f.Add(packet(PacketSQLBatch, 0x01, []byte("ab")), 512)
	f.Add(cat(packet(PacketRPC, 0x08, []byte("ab")), packet(PacketRPC, 0x00, []byte("cd")), packet(PacketRPC, 0x01, nil)), 4096)
	f.Add(cat(packet(PacketSQLBatch, 0x00, []byte("x")), packet(PacketSQLBatch, 0x03, nil)), 4096)
	f.Add([]byte{1, 1, 0, 4, 0, 0, 0, 0}, 512)
	f.Add([]byte{1, 1, 0xFF, 0xFF, 0, 0, 0, 0}, 32767)
	f.Fuzz(func(t *testing.T, stream []byte, maxPacket int) {
		mr := NewMessageReader(bytes.NewReader(stream), maxPacket, 1<<16)
		var buf []byte
		for i := 0; ; i++ {
			m, err := mr.ReadMessage(buf)
			if err != nil {
				if err != io.EOF && !errors.Is(err, ErrMalformed) {
					t.Fatalf("error %v does not wrap ErrMalformed", err)
				}
				return
			}
			if len(m.Payload) > len(stream) {
				t.Fatalf("payload of %d bytes from a %d-byte stream", len(m.Payload), len(stream))
			}
			if i > len(stream) {
				t.Fatal("more messages than bytes")
			}
			buf = m.Payload
		}
	})
}

func FuzzLogin7(f *testing.F) {
	f.Add(encodeLogin7(sampleLogin()))
	plain := sampleLogin()
	plain.OptionFlags3, plain.FeatureExt, plain.SSPI = 0, nil, nil
	f.Add(encodeLogin7(plain))
	f.Add(make([]byte, Login7HeaderSize))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseLogin7(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		_ = l.String()
	})
}

func FuzzPrelogin(f *testing.F) {
	f.Add(goMssqldbPrelogin())
	f.Add(AppendPreloginReply(nil, DefaultServerVersion, EncryptNotSup))
	f.Add([]byte{0xFF})
	f.Add([]byte{1, 0, 6, 0, 1, 0xFF, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := ParsePrelogin(b); err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
	})
}

func FuzzRPC(f *testing.F) {
	ts := time.Date(2024, 3, 5, 10, 20, 30, 0, time.UTC)
	f.Add(encodeRPC(0, ProcExecuteSQL, "", []testParam{
		{name: "", ti: NVarChar(10), v: "SELECT 1"},
		{name: "", ti: NVarCharMax(), v: "@p1 int"},
		{name: "@p1", status: ParamByRef, ti: IntN(4), v: int64(1)},
	}))
	f.Add(encodeRPC(1, 0, "dbo.usp_Failback", []testParam{
		{name: "@a", ti: TypeInfo{ID: TypeNull}},
		{name: "@b", ti: DecimalN(25, 0), v: int64(12)},
		{name: "@c", ti: DateTime2(7), v: ts},
		{name: "@d", ti: DateTimeOffset(3), v: ts},
		{name: "@e", ti: Time(2), v: ts},
		{name: "@f", ti: GUID(), v: testGUID},
		{name: "@g", ti: VarBinaryMax(), v: []byte{1, 2}},
		{name: "@h", ti: VarChar(5), v: "abc"},
		{name: "@i", ti: DateTime(), v: ts},
		{name: "@j", ti: Date(), v: ts},
		{name: "@k", ti: FltN(8), v: 1.5},
		{name: "@l", ti: Bit(), v: true},
	}))
	// The decoders of issue 14's types: xml (PLP UTF-16, with and without
	// a schema collection), a Cyrillic varchar, a FreeTDS-length decimal
	// and money.
	typed := encodeRPC(0, ProcExecuteSQL, "", []testParam{
		{name: "@x", ti: XML(), v: "<a b=\"ж\"/>"},
		{name: "@c", ti: TypeInfo{ID: TypeBigVarChar, Size: 10, Collation: Collation{0x19, 0x04, 0xD0, 0, 0}}, v: "мир"},
		{name: "@m", ti: MoneyN(8), v: Decimal{Unscaled: big.NewInt(12345678), Scale: 4}},
		{name: "@n", ti: Text(), v: "old"},
	})
	f.Add(typed)
	schema := encodeRPC(0, ProcExecuteSQL, "", nil)
	schema, _ = appendBVarChar(schema, "@x", "")
	schema = append(schema, 0, TypeXML, 1, 1, 'd', 0, 1, 'o', 0, 1, 0, 'c', 0)
	schema = append(schema, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 'a', 0, 0, 0, 0, 0)
	f.Add(schema)
	f.Add([]byte{0x16, 0, 0, 0, 0x12, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, 0xFF, 0xFF, 0x0A, 0, 0, 0, 0, 0x6A, 4, 6, 4, 4, 0, 0x40, 0xE2, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		rpc, err := DecodeRPC(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		for _, p := range rpc.Params {
			if s, ok := p.Value.([]byte); ok && len(s) > len(b) {
				t.Fatalf("parameter %q value longer than the message", p.Name)
			}
		}
	})
}

func FuzzRequest(f *testing.F) {
	f.Add(byte(PacketSQLBatch), append(allHeaders(1), appendUTF16(nil, "select 1;")...))
	f.Add(byte(PacketTransMgr), cat(allHeaders(0), appendU16(nil, uint16(TMBegin)), []byte{2, 1, 'a', 0}))
	f.Add(byte(PacketTransMgr), cat(allHeaders(9), appendU16(nil, uint16(TMRollback)), []byte{0, 1, 2, 0}))
	f.Fuzz(func(t *testing.T, typ byte, b []byte) {
		_, err := DecodeRequest(Message{Type: PacketType(typ), Payload: b})
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("error %v does not wrap ErrMalformed", err)
		}
	})
}
