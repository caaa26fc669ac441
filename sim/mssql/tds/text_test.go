package tds

import (
	"bytes"
	"testing"
)

// longLen is a text/ntext/image parameter value: LONGLEN length, bytes.
func longLen(b []byte) []byte { return append(appendU32(nil, uint32(len(b))), b...) }

// TestDecodeTextParameters: ODBC and DB-Library send statement text as
// ntext, and text and image parameters in the LONGLEN form, at TDS 7.1
// (no ALL_HEADERS) and later.
func TestDecodeTextParameters(t *testing.T) {
	params := []testParam{
		{name: "@statement", ti: TypeInfo{ID: TypeNText, Size: 0x7FFFFFFE}, raw: longLen(appendUTF16(nil, "SELECT @p1 -- é"))},
		{name: "@params", ti: TypeInfo{ID: TypeNText, Size: 0x7FFFFFFE}, raw: longLen(appendUTF16(nil, "@p1 text, @p2 image, @p3 ntext"))},
		{name: "@p1", ti: TypeInfo{ID: TypeText, Size: 0x7FFFFFFF}, raw: longLen([]byte("caf\xe9"))},
		{name: "@p2", ti: TypeInfo{ID: TypeImage, Size: 0x7FFFFFFF}, raw: longLen([]byte{1, 2, 3})},
		{name: "@p3", ti: TypeInfo{ID: TypeNText, Size: 0x7FFFFFFE}, raw: appendU32(nil, 0xFFFFFFFF)},
	}
	with := encodeRPC(0, ProcExecuteSQL, "", params)
	without := with[22:] // a TDS 7.1 client sends no ALL_HEADERS
	for _, c := range []struct {
		name  string
		level int
		body  []byte
	}{{"7.4", Level74, with}, {"7.1", Level71, without}} {
		req, err := DecodeRequestLevel(Message{Type: PacketRPC, Payload: c.body}, c.level)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		p := req.RPC.Params
		if req.RPC.ProcName != "sp_executesql" || len(p) != 5 {
			t.Fatalf("%s: %+v", c.name, req.RPC)
		}
		if p[0].Value != "SELECT @p1 -- é" || p[0].Type.ID != TypeNText || p[1].Value != "@p1 text, @p2 image, @p3 ntext" {
			t.Errorf("%s: statement %#v %v", c.name, p[0].Value, p[0].Type)
		}
		if p[2].Value != "café" || !bytes.Equal(p[3].Value.([]byte), []byte{1, 2, 3}) || p[4].Value != nil {
			t.Errorf("%s: values %#v %#v %#v", c.name, p[2].Value, p[3].Value, p[4].Value)
		}
	}
	// A length past the message is refused, not read.
	bad := encodeRPC(0, ProcExecuteSQL, "", []testParam{{name: "@statement", ti: TypeInfo{ID: TypeNText, Size: 0x7FFFFFFE}, raw: appendU32(nil, 1000)}})
	if _, err := DecodeRequest(Message{Type: PacketRPC, Payload: bad}); err == nil {
		t.Error("an ntext length past the end was accepted")
	}
}

// TestDecodeBulkLoad: rows of a BULK_LOAD with DONE (go-mssqldb), without
// (FreeTDS's bcp), at TDS 7.1 framing, and NBCROW's null bitmap.
func TestDecodeBulkLoad(t *testing.T) {
	for _, c := range []struct {
		name    string
		level   int
		payload []byte
	}{
		{"7.4 with DONE", Level74, bulkStream(t, Level74, true)},
		{"7.4 without DONE", Level74, bulkStream(t, Level74, false)},
		{"7.1", Level71, bulkStream(t, Level71, true)},
	} {
		req, err := DecodeRequestLevel(Message{Type: PacketBulkLoad, Payload: c.payload}, c.level)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rows := req.Bulk.Rows
		if len(req.Bulk.Columns) != 5 || len(rows) != 2 || rows[0][1] != "héllo" || rows[0][2] != "long" || rows[1][1] != nil {
			t.Errorf("%s: %+v", c.name, req.Bulk)
		}
	}
	nbc := []byte{TokenColMetadata, 2, 0, 0, 0, 0, 0, 1, 0, TypeIntN, 4, 1, 'a', 0, 0, 0, 0, 0, 1, 0, TypeIntN, 4, 1, 'b', 0,
		TokenNBCRow, 0x01, 4, 7, 0, 0, 0}
	req, err := DecodeRequestLevel(Message{Type: PacketBulkLoad, Payload: nbc}, Level74)
	if err != nil || len(req.Bulk.Rows) != 1 || req.Bulk.Rows[0][0] != nil || req.Bulk.Rows[0][1] != int64(7) {
		t.Errorf("NBCROW: %+v %v", req, err)
	}
	if _, err := DecodeRequestLevel(Message{Type: PacketBulkLoad, Payload: []byte{TokenRow}}, Level74); err == nil {
		t.Error("rows without COLMETADATA were accepted")
	}
}
