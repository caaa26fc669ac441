package tds

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
)

// tok is one scanned token; status is the DONE status or the message number.
type tok struct {
	id     byte
	status uint16
	number int32
}

func (t tok) String() string {
	switch t.id {
	case TokenDone, TokenDoneProc, TokenDoneInProc:
		return fmt.Sprintf("%02X:%X", t.id, t.status)
	case TokenInfo, TokenError:
		return fmt.Sprintf("%02X:%d", t.id, t.number)
	}
	return fmt.Sprintf("%02X", t.id)
}

// scanTokens walks a token stream made of the tokens that carry their
// own length (no COLMETADATA/ROW/RETURNVALUE).
func scanTokens(t *testing.T, b []byte) []tok {
	t.Helper()
	var out []tok
	for len(b) > 0 {
		id := b[0]
		switch id {
		case TokenDone, TokenDoneProc, TokenDoneInProc:
			out = append(out, tok{id: id, status: binary.LittleEndian.Uint16(b[1:])})
			b = b[13:]
		case TokenInfo, TokenError, TokenEnvChange, TokenLoginAck:
			n := int(binary.LittleEndian.Uint16(b[1:]))
			tk := tok{id: id}
			if id == TokenInfo || id == TokenError {
				tk.number = int32(binary.LittleEndian.Uint32(b[3:]))
			}
			out = append(out, tk)
			b = b[3+n:]
		case TokenReturnStatus:
			out = append(out, tok{id: id})
			b = b[5:]
		default:
			t.Fatalf("scanTokens: unexpected token 0x%02X", id)
		}
	}
	return out
}

// reply runs fn against a fresh ResponseWriter and returns the reply's
// packets' payload, the packet statuses and the tokens.
func reply(t *testing.T, finalTok byte, attn bool, fn func(w *ResponseWriter) error) ([]byte, []byte, []tok) {
	t.Helper()
	var out bytes.Buffer
	pw := NewPacketWriter(&out, 512, 1)
	var flag atomic.Bool
	w := &ResponseWriter{pw: pw, server: "S", attn: &flag}
	w.reset(finalTok)
	pw.BeginMessage(PacketReply)
	herr := fn(w)
	flag.Store(attn)
	if err := w.finish(herr, attn); err != nil {
		t.Fatal(err)
	}
	hdrs, payloads := splitPackets(t, out.Bytes())
	var statuses []byte
	for _, h := range hdrs {
		statuses = append(statuses, h[1])
	}
	p := bytes.Join(payloads, nil)
	return p, statuses, scanTokens(t, p)
}

func TestResponseDoneFraming(t *testing.T) {
	info := &ServerError{Number: 3211, Class: 0, State: 1, Message: "10 percent processed."}
	cases := []struct {
		name  string
		final byte
		attn  bool
		fn    func(w *ResponseWriter) error
		want  string
	}{
		{"no done gets a bare one", TokenDone, false, func(w *ResponseWriter) error { return nil }, "FD:0"},
		{"single done keeps its bits, no MORE", TokenDone, false, func(w *ResponseWriter) error {
			return w.Done(Done{Status: DoneCount | DoneMore, RowCount: 3})
		}, "FD:10"},
		{"every done but the last has MORE", TokenDoneProc, false, func(w *ResponseWriter) error {
			_ = w.Done(Done{Token: TokenDoneInProc, Status: DoneCount})
			_ = w.Done(Done{Token: TokenDoneInProc})
			_ = w.ReturnStatus(0)
			return w.Done(Done{Token: TokenDoneProc})
		}, "FF:11 FF:1 79 FE:0"},
		{"last token a doneinproc", TokenDoneProc, false, func(w *ResponseWriter) error {
			_ = w.Info(info)
			return w.Done(Done{Token: TokenDoneInProc, Status: DoneCount})
		}, "AB:3211 FF:10"},
		{"tokens after the last done get a final done", TokenDone, false, func(w *ResponseWriter) error {
			_ = w.Done(Done{Status: DoneCount})
			return w.Info(info)
		}, "FD:11 AB:3211 FD:0"},
		{"server error after output", TokenDone, false, func(w *ResponseWriter) error {
			_ = w.Done(Done{Status: DoneCount})
			return fmt.Errorf("wrapped: %w", &ServerError{Number: 3013, Class: 16, State: 1, Message: "BACKUP DATABASE is terminating abnormally."})
		}, "FD:11 AA:3013 FD:2"},
		{"rpc error ends in doneproc", TokenDoneProc, false, func(w *ResponseWriter) error {
			return &ServerError{Number: 2812, Class: 16, State: 62, Message: "x"}
		}, "AA:2812 FE:2"},
		{"internal error is fatal", TokenDone, false, func(w *ResponseWriter) error {
			return errors.New("engine bug")
		}, "AA:0 FD:102"},
		{"attention ends with ATTN", TokenDone, true, func(w *ResponseWriter) error {
			_ = w.Info(info)
			_ = w.Done(Done{Status: DoneCount})
			return errors.New("context canceled")
		}, "AB:3211 FD:11 FD:20"},
		{"messages choose INFO or ERROR by class", TokenDone, false, func(w *ResponseWriter) error {
			_ = w.Message(&ServerError{Number: 1, Class: 10})
			_ = w.Message(&ServerError{Number: 2, Class: 11})
			return w.Done(Done{Status: DoneError})
		}, "AB:1 AA:2 FD:2"},
		{"envchanges", TokenDone, false, func(w *ResponseWriter) error {
			_ = w.EnvDatabase("mgc", "master")
			_ = w.EnvBeginTran(5)
			_ = w.EnvCommitTran(5)
			_ = w.EnvRollbackTran(6)
			_ = w.EnvLanguage("us_english", "")
			return w.EnvResetAck()
		}, "E3 E3 E3 E3 E3 E3 FD:0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, statuses, toks := reply(t, c.final, c.attn, c.fn)
			var s []string
			for _, tk := range toks {
				s = append(s, tk.String())
			}
			if got := strings.Join(s, " "); got != c.want {
				t.Errorf("tokens %s, want %s", got, c.want)
			}
			if statuses[len(statuses)-1] != StatusEOM {
				t.Errorf("last packet status %x", statuses[len(statuses)-1])
			}
		})
	}
}

func TestResponseFlushStreams(t *testing.T) {
	_, statuses, toks := reply(t, TokenDone, false, func(w *ResponseWriter) error {
		for i := 1; i <= 3; i++ {
			if err := w.Info(&ServerError{Number: 3211, Message: fmt.Sprintf("%d0 percent processed.", i)}); err != nil {
				return err
			}
			if err := w.Flush(); err != nil {
				return err
			}
		}
		return w.Done(Done{})
	})
	if !bytes.Equal(statuses, []byte{0, 0, 0, 1}) {
		t.Errorf("packet statuses %v, want three non-final then EOM", statuses)
	}
	if len(toks) != 4 || toks[3].id != TokenDone || toks[3].status != 0 {
		t.Errorf("tokens %v", toks)
	}
}

func TestResponseWriterErrors(t *testing.T) {
	_, _, toks := reply(t, TokenDone, false, func(w *ResponseWriter) error {
		if err := w.Row(int64(1)); err == nil {
			t.Error("row before metadata accepted")
		}
		if err := w.ColMetadata([]Column{{"c", NVarChar(99999), false}}); err == nil {
			t.Error("bad column type accepted")
		}
		if err := w.ColMetadata(nil); err == nil {
			t.Error("empty metadata accepted")
		}
		if err := w.Done(Done{Token: 0x42}); err == nil {
			t.Error("bad done token accepted")
		}
		if err := w.EnvBeginTran(0); err == nil {
			t.Error("zero transaction descriptor accepted")
		}
		if err := w.Info(&ServerError{Message: strings.Repeat("x", 70000)}); err == nil {
			t.Error("oversized message accepted")
		}
		return nil
	})
	if len(toks) != 1 || toks[0].id != TokenDone {
		t.Errorf("failed calls left tokens behind: %v", toks)
	}
}

func TestResponseDropsAfterAttention(t *testing.T) {
	var flag atomic.Bool
	var out bytes.Buffer
	w := &ResponseWriter{pw: NewPacketWriter(&out, 512, 1), attn: &flag}
	w.reset(TokenDone)
	w.pw.BeginMessage(PacketReply)
	flag.Store(true)
	for name, err := range map[string]error{
		"info":  w.Info(&ServerError{}),
		"done":  w.Done(Done{}),
		"flush": w.Flush(),
		"col":   w.ColMetadata([]Column{{"a", IntN(4), false}}),
	} {
		if !errors.Is(err, ErrCancelled) {
			t.Errorf("%s after attention: %v", name, err)
		}
	}
	if w.pw.Pending() != 0 {
		t.Errorf("%d bytes written after attention", w.pw.Pending())
	}
}

// TestReplyAllocations keeps the per-request write path allocation-free
// once buffers are warm (the SELECT 1 hot path).
func TestReplyAllocations(t *testing.T) {
	var flag atomic.Bool
	w := &ResponseWriter{pw: NewPacketWriter(io.Discard, 4096, 1), attn: &flag}
	cols := []Column{{"", IntN(4), false}, {"name", NVarChar(20), true}}
	val := any("mgc")
	run := func() {
		w.reset(TokenDone)
		w.pw.BeginMessage(PacketReply)
		_ = w.ColMetadata(cols)
		_ = w.Row(int64(1), val)
		_ = w.Done(Done{Status: DoneCount, CurCmd: CurCmdSelect, RowCount: 1})
		if err := w.finish(nil, false); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%v allocations per reply, want 0", n)
	}
}
