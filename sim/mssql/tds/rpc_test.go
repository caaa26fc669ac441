package tds

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// allHeaders is go-mssqldb's 22-byte ALL_HEADERS with a transaction
// descriptor header.
func allHeaders(desc uint64) []byte {
	b := appendU32(nil, 22)
	b = appendU32(b, 18)
	b = appendU16(b, headerTxDescriptor)
	b = appendU64(b, desc)
	return appendU32(b, 1)
}

type testParam struct {
	name   string
	status byte
	ti     TypeInfo
	v      any
	raw    []byte // value bytes instead of encoding v
}

func encodeRPC(desc uint64, procID uint16, procName string, params []testParam) []byte {
	b := allHeaders(desc)
	if procID != 0 {
		b = appendU16(b, 0xFFFF)
		b = appendU16(b, procID)
	} else {
		b, _ = appendUSVarChar(b, procName, "")
	}
	b = appendU16(b, 0)
	for _, p := range params {
		b, _ = appendBVarChar(b, p.name, "")
		b = append(b, p.status)
		if p.ti.ID == TypeNull {
			b = append(b, TypeNull)
			continue
		}
		var err error
		if b, err = appendTypeInfo(b, p.ti); err != nil {
			panic(err)
		}
		if p.raw != nil {
			b = append(b, p.raw...)
			continue
		}
		if b, err = appendValue(b, p.ti, p.v); err != nil {
			panic(err)
		}
	}
	return b
}

func TestDecodeRPC(t *testing.T) {
	// A PLP value in two chunks with unknown total length, as go-mssqldb
	// sends NVARCHAR(MAX) and OUTPUT strings.
	chunked := appendU64(nil, plpUnknown)
	chunked = appendU32(chunked, 4)
	chunked = append(chunked, 'h', 0, 'i', 0)
	chunked = appendU32(chunked, 2)
	chunked = append(chunked, '!', 0)
	chunked = appendU32(chunked, 0)

	ts := time.Date(2024, 3, 5, 10, 20, 30, 0, time.FixedZone("", 7200))
	params := []testParam{
		{name: "", ti: NVarChar(20), v: "SELECT @p1"},
		{name: "", ti: NVarChar(40), v: "@p1 bigint,@p2 nvarchar(max) output"},
		{name: "@p1", ti: IntN(8), v: int64(-9)},
		{name: "@p2", status: ParamByRef, ti: NVarCharMax(), raw: chunked},
		{name: "@p3", ti: TypeInfo{ID: TypeNull}},
		{name: "@p4", ti: DateTimeOffset(7), v: ts},
		{name: "@p5", ti: GUID(), v: testGUID},
		{name: "@p6", ti: DecimalN(38, 4), v: dec("-99999999999999999999999999999999999999", 4)},
		{name: "@p7", ti: VarBinaryMax(), v: []byte{}},
		{name: "@p8", ti: TypeInfo{ID: TypeBigVarChar, Size: 3}, v: "abc"},
		{name: "@p9", ti: TypeInfo{ID: TypeInt4}, raw: []byte{0xFF, 0xFF, 0xFF, 0xFF}},
		{name: "@p10", ti: TypeInfo{ID: TypeMoneyN, Size: 8}, raw: []byte{8, 0, 0, 0, 0, 0x10, 0x27, 0, 0}},
		{name: "@p11", ti: Bit(), v: nil},
	}
	want := []any{"SELECT @p1", "@p1 bigint,@p2 nvarchar(max) output", int64(-9), "hi!", nil, ts, testGUID,
		dec("-99999999999999999999999999999999999999", 4), []byte{}, "abc", int64(-1), dec("10000", 4), nil}

	rpc, err := DecodeRPC(encodeRPC(0, ProcExecuteSQL, "", params))
	if err != nil {
		t.Fatal(err)
	}
	if rpc.ProcID != ProcExecuteSQL || rpc.ProcName != "sp_executesql" || len(rpc.Params) != len(want) {
		t.Fatalf("got %+v", rpc)
	}
	for i, p := range rpc.Params {
		if p.Name != params[i].name || p.Output() != (params[i].status&ParamByRef != 0) || !valueEqual(p.Value, want[i]) {
			t.Errorf("param %d: got %q out=%v %#v, want %q %#v", i, p.Name, p.Output(), p.Value, params[i].name, want[i])
		}
	}

	byName, err := DecodeRPC(encodeRPC(5, 0, "dbo.usp_Failback", []testParam{{name: "@x", ti: IntN(4), v: int64(1)}}))
	if err != nil || byName.ProcName != "dbo.usp_Failback" || byName.ProcID != 0 || byName.Params[0].Value != int64(1) {
		t.Errorf("by name: %+v %v", byName, err)
	}
}

func TestDecodeRPCErrors(t *testing.T) {
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		{"no headers", []byte{1, 2}, "ALL_HEADERS length"},
		{"headers too long", appendU32(nil, 999), "does not fit"},
		{"unknown proc id", encodeRPC(0, 99, "", nil), "unknown procedure id 99"},
		{"truncated name", append(allHeaders(0), 10, 0, 'a'), "procedure name"},
		{"bad intn length", encodeRPC(0, 10, "", []testParam{{name: "@a", ti: IntN(4), raw: []byte{3, 1, 2, 3}}}), "value length 3 is invalid for int"},
		{"short value too long", encodeRPC(0, 10, "", []testParam{{name: "@a", ti: NVarChar(1), raw: []byte{4, 0, 'a', 0, 'b', 0}}}), "longer than its declared nvarchar(1)"},
		{"plp total mismatch", encodeRPC(0, 10, "", []testParam{{name: "@a", ti: NVarCharMax(), raw: cat(appendU64(nil, 4), appendU32(nil, 2), []byte{'a', 0}, appendU32(nil, 0))}}), "header said 4"},
		{"plp chunk too long", encodeRPC(0, 10, "", []testParam{{name: "@a", ti: NVarCharMax(), raw: cat(appendU64(nil, plpUnknown), appendU32(nil, 1<<31))}}), "exceeds"},
		{"plp no terminator", encodeRPC(0, 10, "", []testParam{{name: "@a", ti: VarBinaryMax(), raw: cat(appendU64(nil, plpUnknown), appendU32(nil, 1), []byte{1})}}), "PLP chunk length"},
		{"encrypted", encodeRPC(0, 10, "", []testParam{{name: "@a", status: ParamEncrypted, ti: IntN(4), v: int64(1)}}), "Always Encrypted"},
		{"batched rpc", append(encodeRPC(0, 10, "", nil), 0xFF), "batched RPC"},
		{"bad decimal", encodeRPC(0, 10, "", []testParam{{name: "@a", ti: DecimalN(10, 2), raw: []byte{1, 1}}}), "value length 1 is invalid for decimal(10,2)"},
	}
	// A type id the decoder does not know.
	unk := encodeRPC(0, 10, "", nil)
	unk, _ = appendBVarChar(unk, "@x", "")
	unk = append(unk, 0, 0xF0, 0) // UDT (CLR types: hierarchyid, geometry)
	cases = append(cases, struct {
		name string
		msg  []byte
		want string
	}{"udt type", unk, "data type 0xF0 is unknown"})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeRPC(c.msg)
			if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrMalformed) {
				t.Errorf("got %v, want a malformed error containing %q", err, c.want)
			}
		})
	}
}

func TestDecodeRequest(t *testing.T) {
	tmBegin := cat(allHeaders(0), appendU16(nil, uint16(TMBegin)), []byte{IsoSerializable, 2, 't', 0, '1', 0})
	tmCommit := cat(allHeaders(0x1234), appendU16(nil, uint16(TMCommit)), []byte{0, TMBeginNew, IsoReadCommitted, 1, 'n', 0})
	tmRollback := cat(allHeaders(0x1234), appendU16(nil, uint16(TMRollback)), []byte{0, 0})
	tmSave := cat(allHeaders(0x1234), appendU16(nil, uint16(TMSave)), []byte{1, 's', 0})
	tmPromote := cat(allHeaders(0x1234), appendU16(nil, uint16(TMPromote)), []byte{9})
	cases := []struct {
		name  string
		msg   Message
		check func(r *Request) bool
		err   string
	}{
		{"batch", Message{Type: PacketSQLBatch, Status: 0x09, Payload: cat(allHeaders(7), appendUTF16(nil, "select 1;"))},
			func(r *Request) bool {
				return r.SQL == "select 1;" && r.ResetConnection && r.Headers.TransactionDescriptor == 7 && r.Headers.HasTxDescriptor && r.Headers.OutstandingRequests == 1
			}, ""},
		{"batch odd bytes", Message{Type: PacketSQLBatch, Payload: cat(allHeaders(0), []byte{'a'})}, nil, "odd number"},
		{"batch bad header length", Message{Type: PacketSQLBatch, Payload: cat(appendU32(nil, 10), appendU32(nil, 2), []byte{2, 0})}, nil, "length 2"},
		{"rpc", Message{Type: PacketRPC, Payload: encodeRPC(0, 0, "p", nil)}, func(r *Request) bool { return r.RPC.ProcName == "p" }, ""},
		{"tm begin", Message{Type: PacketTransMgr, Payload: tmBegin}, func(r *Request) bool {
			return r.TM.Kind == TMBegin && r.TM.Isolation == IsoSerializable && r.TM.Name == "t1"
		}, ""},
		{"tm commit and begin new", Message{Type: PacketTransMgr, Payload: tmCommit}, func(r *Request) bool {
			return r.TM.Kind == TMCommit && r.TM.Flags == TMBeginNew && r.TM.NewIsolation == IsoReadCommitted && r.TM.NewName == "n" && r.Headers.TransactionDescriptor == 0x1234
		}, ""},
		{"tm rollback", Message{Type: PacketTransMgr, Payload: tmRollback}, func(r *Request) bool { return r.TM.Kind == TMRollback && r.TM.Name == "" }, ""},
		{"tm save", Message{Type: PacketTransMgr, Payload: tmSave}, func(r *Request) bool { return r.TM.Kind == TMSave && r.TM.Name == "s" }, ""},
		{"tm promote raw", Message{Type: PacketTransMgr, Payload: tmPromote}, func(r *Request) bool { return r.TM.Kind == TMPromote && len(r.TM.Raw) == 1 }, ""},
		{"tm unknown kind", Message{Type: PacketTransMgr, Payload: cat(allHeaders(0), appendU16(nil, 77))}, nil, "request type 77 is unknown"},
		{"tm bad isolation", Message{Type: PacketTransMgr, Payload: cat(allHeaders(0), appendU16(nil, uint16(TMBegin)), []byte{9, 0})}, nil, "isolation level 9"},
		{"tm truncated", Message{Type: PacketTransMgr, Payload: cat(allHeaders(0), appendU16(nil, uint16(TMCommit)))}, nil, "transaction name"},
		{"not a request", Message{Type: PacketLogin7, Payload: allHeaders(0)}, nil, "not a request"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := DecodeRequest(c.msg)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("got %v, want error %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(r) {
				t.Errorf("decoded %+v (rpc %+v, tm %+v)", r, r.RPC, r.TM)
			}
		})
	}
}

func TestProcName(t *testing.T) {
	for id, want := range map[uint16]string{1: "sp_cursor", 10: "sp_executesql", 11: "sp_prepare", 12: "sp_execute", 13: "sp_prepexec", 15: "sp_unprepare", 0: "", 16: ""} {
		if got := ProcName(id); got != want {
			t.Errorf("ProcName(%d) = %q, want %q", id, got, want)
		}
	}
}
