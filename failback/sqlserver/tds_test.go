package sqlserver

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// tdsResponder is the smallest TDS server go-mssqldb will talk to: enough
// to check that Exec collects INFO messages (with numbers) and errors. It
// answers by the batch text's first word.
type tdsResponder struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	seen []string
}

func startTDS(t *testing.T) *tdsResponder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &tdsResponder{ln: ln}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.wg.Add(1)
			go func() { defer r.wg.Done(); r.serve(c) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); r.wg.Wait() })
	return r
}

func readPacket(c net.Conn) (byte, []byte, error) {
	var payload []byte
	var typ byte
	for {
		var h [8]byte
		if _, err := io.ReadFull(c, h[:]); err != nil {
			return 0, nil, err
		}
		typ = h[0]
		n := int(binary.BigEndian.Uint16(h[2:4])) - 8
		b := make([]byte, n)
		if _, err := io.ReadFull(c, b); err != nil {
			return 0, nil, err
		}
		payload = append(payload, b...)
		if h[1]&0x01 != 0 {
			return typ, payload, nil
		}
	}
}

func writePacket(c net.Conn, payload []byte) error {
	h := []byte{4, 1, 0, 0, 0, 51, 1, 0}
	binary.BigEndian.PutUint16(h[2:4], uint16(len(payload)+8))
	_, err := c.Write(append(h, payload...))
	return err
}

func ucs2(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, x := range u {
		binary.LittleEndian.PutUint16(b[2*i:], x)
	}
	return b
}

func decodeUCS2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

func done(status uint16) []byte {
	b := []byte{0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint16(b[1:3], status)
	return b
}

// msgToken is INFO (0xAB) or ERROR (0xAA).
func msgToken(tok byte, num int32, class byte, text string) []byte {
	var body []byte
	body = binary.LittleEndian.AppendUint32(body, uint32(num))
	body = append(body, 1, class)
	body = binary.LittleEndian.AppendUint16(body, uint16(len(utf16.Encode([]rune(text)))))
	body = append(body, ucs2(text)...)
	body = append(body, 3)
	body = append(body, ucs2("SIM")...)
	body = append(body, 0)
	body = binary.LittleEndian.AppendUint32(body, 1)
	out := []byte{tok}
	out = binary.LittleEndian.AppendUint16(out, uint16(len(body)))
	return append(out, body...)
}

func (r *tdsResponder) serve(c net.Conn) {
	defer c.Close()
	// PRELOGIN: answer ENCRYPTION = NOT_SUP only.
	if _, _, err := readPacket(c); err != nil {
		return
	}
	if writePacket(c, []byte{0x00, 0x00, 0x0B, 0x00, 0x06, 0x01, 0x00, 0x11, 0x00, 0x01, 0xFF, 16, 0, 0, 0, 0, 0, 0x02}) != nil {
		return
	}
	// LOGIN7: accept anyone.
	if _, _, err := readPacket(c); err != nil {
		return
	}
	prog := "Microsoft SQL Server"
	var ack []byte
	ack = append(ack, 1, 0x74, 0, 0, 4, byte(len(prog)))
	ack = append(ack, ucs2(prog)...)
	ack = append(ack, 16, 0, 0, 1)
	login := []byte{0xAD}
	login = binary.LittleEndian.AppendUint16(login, uint16(len(ack)))
	login = append(login, ack...)
	login = append(login, done(0)...)
	if writePacket(c, login) != nil {
		return
	}
	for {
		typ, p, err := readPacket(c)
		if err != nil {
			return
		}
		if typ != 1 || len(p) < 4 {
			return
		}
		hdr := binary.LittleEndian.Uint32(p[:4])
		text := decodeUCS2(p[hdr:])
		r.mu.Lock()
		r.seen = append(r.seen, text)
		r.mu.Unlock()
		var resp []byte
		switch {
		case strings.HasPrefix(text, "BACKUP"):
			for i := 1; i <= 20; i++ { // more than sqlexp's 15-slot queue
				resp = append(resp, msgToken(0xAB, 3211, 0, fmt.Sprintf("%d percent processed.", i*5))...)
			}
			resp = append(resp, msgToken(0xAB, 3014, 0, "BACKUP DATABASE successfully processed 161 pages in 0.012 seconds (104.817 MB/sec).")...)
			resp = append(resp, done(0)...)
		case strings.HasPrefix(text, "RESTORE"):
			resp = append(resp, msgToken(0xAB, 3211, 0, "10 percent processed.")...)
			resp = append(resp, msgToken(0xAA, 3201, 16, `Cannot open backup device '\\fs01\ls\mgc.bak'. Operating system error 5(Access is denied.).`)...)
			resp = append(resp, msgToken(0xAA, 3013, 16, "RESTORE DATABASE is terminating abnormally.")...)
			resp = append(resp, done(0x02)...)
		default:
			resp = done(0)
		}
		if writePacket(c, resp) != nil {
			return
		}
	}
}

func TestExecCollectsMessagesOverTDS(t *testing.T) {
	srv := startTDS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := Open(ctx, Config{Address: srv.ln.Addr().String(), User: "sa", Password: "pw", Encrypt: "disable", DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seen []Statement
	db = db.WithObserver(func(s Statement) { seen = append(seen, s) })

	for round := 0; round < 3; round++ { // the connection stays usable
		res, err := db.Exec(ctx, "BACKUP DATABASE [mgc] TO DISK = N'\\\\fs01\\ls\\mgc.bak'")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if len(res.Messages) != 21 || res.Messages[0].Number != 3211 || res.Messages[0].Text != "5 percent processed." ||
			res.Messages[20].Number != 3014 || res.Messages[20].Class != 0 {
			t.Fatalf("round %d: messages %+v", round, res.Messages)
		}
	}
	res, err := db.Exec(ctx, "RESTORE DATABASE [mgc] FROM DISK = N'\\\\fs01\\ls\\mgc.bak' WITH REPLACE, RECOVERY")
	if got := SQLErrorNumbers(err); len(got) != 2 || got[0] != 3201 || got[1] != 3013 {
		t.Errorf("restore error %v -> %v", err, got)
	}
	if IsTransient(err) {
		t.Error("3201/3013 classified transient")
	}
	if len(res.Messages) != 1 || res.Messages[0].Number != 3211 {
		t.Errorf("restore messages %+v", res.Messages)
	}
	if len(seen) != 4 || len(seen[3].Messages) != 1 || seen[3].Err == nil || !strings.HasPrefix(seen[3].Text, "RESTORE DATABASE [mgc]") {
		t.Errorf("observer %+v", seen)
	}
}
