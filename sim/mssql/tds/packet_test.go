package tds

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

func packet(typ PacketType, status byte, payload []byte) []byte {
	b := []byte{byte(typ), status, 0, 0, 0, 0, 1, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(HeaderSize+len(payload)))
	return append(b, payload...)
}

func TestMessageReader(t *testing.T) {
	big := bytes.Repeat([]byte{7}, 600)
	cases := []struct {
		name      string
		stream    []byte
		maxPacket int
		maxMsg    int
		want      []Message
		wantErr   string // error after the messages in want; "" means clean EOF
	}{
		{"single", packet(PacketSQLBatch, 0x01, []byte("ab")), 0, 0,
			[]Message{{Type: PacketSQLBatch, Status: 0x01, Payload: []byte("ab")}}, ""},
		{"reassembled", cat(packet(PacketRPC, 0x08, []byte("ab")), packet(PacketRPC, 0x00, []byte("cd")), packet(PacketRPC, 0x01, []byte("e"))), 0, 0,
			[]Message{{Type: PacketRPC, Status: 0x08, Payload: []byte("abcde")}}, ""},
		{"two messages", cat(packet(PacketAttention, 0x01, nil), packet(PacketTransMgr, 0x09, []byte{1})), 0, 0,
			[]Message{{Type: PacketAttention, Status: 0x01, Payload: []byte{}}, {Type: PacketTransMgr, Status: 0x09, Payload: []byte{1}}}, ""},
		{"ignored message skipped", cat(packet(PacketSQLBatch, 0x00, []byte("x")), packet(PacketSQLBatch, 0x03, nil), packet(PacketSQLBatch, 0x01, []byte("y"))), 0, 0,
			[]Message{{Type: PacketSQLBatch, Status: 0x01, Payload: []byte("y")}}, ""},
		{"length below header", []byte{1, 1, 0, 4, 0, 0, 0, 0}, 0, 0, nil, "shorter than the 8-byte header"},
		{"oversize packet", packet(PacketSQLBatch, 0x01, big), 512, 0, nil, "length 608 exceeds the packet size 512"},
		{"message too large", cat(packet(PacketSQLBatch, 0x00, big), packet(PacketSQLBatch, 0x01, big)), 4096, 1000, nil, "exceeds 1000 bytes"},
		{"truncated header", []byte{1, 1, 0}, 0, 0, nil, "unexpected EOF"},
		{"truncated payload", packet(PacketSQLBatch, 0x01, []byte("abc"))[:9], 0, 0, nil, "unexpected EOF"},
		{"missing continuation", packet(PacketSQLBatch, 0x00, []byte("abc")), 0, 0, nil, "packet 1 header: unexpected EOF"},
		{"type change mid message", cat(packet(PacketSQLBatch, 0x00, []byte("a")), packet(PacketRPC, 0x01, []byte("b"))), 0, 0, nil, "type RPC inside a SQLBatch message"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mr := NewMessageReader(bytes.NewReader(c.stream), c.maxPacket, c.maxMsg)
			var buf []byte
			for i, want := range c.want {
				m, err := mr.ReadMessage(buf)
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if m.Type != want.Type || m.Status != want.Status || !bytes.Equal(m.Payload, want.Payload) {
					t.Errorf("message %d = %+v, want %+v", i, m, want)
				}
				buf = m.Payload
			}
			_, err := mr.ReadMessage(buf)
			if c.wantErr == "" {
				if err != io.EOF {
					t.Errorf("end: got %v, want io.EOF", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, c.wantErr)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%v does not wrap ErrMalformed", err)
			}
		})
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestResetFlags(t *testing.T) {
	for _, c := range []struct {
		status      byte
		reset, skip bool
	}{{0x01, false, false}, {0x09, true, false}, {0x11, true, true}} {
		m := Message{Status: c.status}
		if m.ResetConnection() != c.reset || m.ResetSkipTran() != c.skip {
			t.Errorf("status %#x: reset=%v skip=%v", c.status, m.ResetConnection(), m.ResetSkipTran())
		}
	}
}

// splitPackets parses a written stream into headers and payloads.
func splitPackets(t *testing.T, b []byte) (hdrs [][]byte, payloads [][]byte) {
	t.Helper()
	for len(b) > 0 {
		if len(b) < HeaderSize {
			t.Fatalf("trailing %d bytes", len(b))
		}
		n := int(binary.BigEndian.Uint16(b[2:]))
		if n < HeaderSize || n > len(b) {
			t.Fatalf("bad packet length %d", n)
		}
		hdrs = append(hdrs, b[:HeaderSize])
		payloads = append(payloads, b[HeaderSize:n])
		b = b[n:]
	}
	return hdrs, payloads
}

func TestPacketWriter(t *testing.T) {
	cases := []struct {
		name       string
		size       int
		writes     []int // byte counts; -1 means Flush
		wantSizes  []int // payload sizes of the packets
		wantStatus []byte
	}{
		{"small", 512, []int{10}, []int{10}, []byte{1}},
		{"exact fit sends no empty trailer", 512, []int{504}, []int{504}, []byte{1}},
		{"split", 512, []int{1000}, []int{504, 496}, []byte{0, 1}},
		{"split across writes", 512, []int{300, 300, 300}, []int{504, 396}, []byte{0, 1}},
		{"flush sends a short non-final packet", 4096, []int{20, -1, 30}, []int{20, 30}, []byte{0, 1}},
		{"flush with nothing pending", 4096, []int{-1, 5, -1, -1}, []int{5, 0}, []byte{0, 1}},
		{"size clamped up", 100, []int{600}, []int{504, 96}, []byte{0, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			pw := NewPacketWriter(&out, c.size, 77)
			pw.BeginMessage(PacketReply)
			var all []byte
			for i, n := range c.writes {
				if n < 0 {
					if err := pw.Flush(); err != nil {
						t.Fatal(err)
					}
					continue
				}
				p := bytes.Repeat([]byte{byte(i + 1)}, n)
				all = append(all, p...)
				if _, err := pw.Write(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := pw.EndMessage(); err != nil {
				t.Fatal(err)
			}
			hdrs, payloads := splitPackets(t, out.Bytes())
			if len(hdrs) != len(c.wantSizes) {
				t.Fatalf("%d packets, want %d", len(hdrs), len(c.wantSizes))
			}
			var got []byte
			for i, h := range hdrs {
				if h[0] != byte(PacketReply) || h[1] != c.wantStatus[i] || binary.BigEndian.Uint16(h[4:]) != 77 || h[6] != byte(i+1) {
					t.Errorf("packet %d header %x", i, h)
				}
				if len(payloads[i]) != c.wantSizes[i] {
					t.Errorf("packet %d payload %d bytes, want %d", i, len(payloads[i]), c.wantSizes[i])
				}
				got = append(got, payloads[i]...)
			}
			if !bytes.Equal(got, all) {
				t.Error("payload bytes differ from what was written")
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestPacketWriterStickyError(t *testing.T) {
	pw := NewPacketWriter(failWriter{}, 512, 1)
	pw.BeginMessage(PacketReply)
	_, _ = pw.Write(make([]byte, 10))
	if err := pw.EndMessage(); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("got %v", err)
	}
	if _, err := pw.Write([]byte{1}); err == nil {
		t.Error("write after failure succeeded")
	}
}
