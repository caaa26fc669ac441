package tds

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/ntlm"
	"github.com/pchatdr/harness/sim/tlscert"
)

// scriptConn is a client that sends a fixed byte stream and then leaves:
// reads drain the stream, writes are counted and dropped. Serve runs on
// it to the end without a peer, so a fuzz input exercises the whole
// connection: PRELOGIN, the TLS handshake in PRELOGIN packets, LOGIN7, the
// SSPI exchange, requests and bulk loads.
type scriptConn struct {
	mu sync.Mutex
	r  *bytes.Reader
	n  int
}

func (c *scriptConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.r.Read(p)
}

func (c *scriptConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n += len(p)
	return len(p), nil
}

func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// serveScript runs Serve over stream with TLS and Windows logins on and
// checks the contract for untrusted input: no panic (Serve would crash
// the test), an end, and a protocol error that says so.
func serveScript(t *testing.T, opts Options, newHandler func() Handler, stream []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := Serve(ctx, &scriptConn{r: bytes.NewReader(stream)}, newHandler, opts)
	if ctx.Err() != nil {
		t.Fatalf("Serve ran for 10 s on a %d-byte stream", len(stream))
	}
	if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrLoginFailed) &&
		!errors.Is(err, io.ErrUnexpectedEOF) && !isTLSError(err) {
		t.Fatalf("Serve: %v: neither a protocol error nor a failed login", err)
	}
}

func isTLSError(err error) bool {
	var re tls.RecordHeaderError
	var ae tls.AlertError
	return errors.As(err, &re) || errors.As(err, &ae) || bytes.Contains([]byte(err.Error()), []byte("tls"))
}

// clientHello is the first flight of a Go TLS client (go-mssqldb's), as
// it would travel inside a PRELOGIN packet.
func clientHello(tb testing.TB) []byte {
	a, b := net.Pipe()
	done := make(chan struct{})
	defer func() { a.Close(); b.Close(); <-done }()
	go func() {
		defer close(done)
		_ = tls.Client(a, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}).Handshake()
	}()
	buf := make([]byte, 4096)
	_ = b.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := b.Read(buf)
	if err != nil {
		tb.Fatal(err)
	}
	return buf[:n]
}

// FuzzServeTLS: a client that asks for encryption and then sends anything
// (the seeds: a real ClientHello in a PRELOGIN packet, the same in a
// wrong packet type, a truncated one).
func FuzzServeTLS(f *testing.F) {
	cert, err := tlscert.SelfSigned("fuzz")
	if err != nil {
		f.Fatal(err)
	}
	opts := Options{TLS: ServerTLSConfig(cert.TLS), LoginTimeout: -1}
	pre := packet(PacketPrelogin, StatusEOM, appendPreloginRequest(EncryptOn))
	hello := clientHello(f)
	f.Add(cat(pre, packet(PacketPrelogin, StatusEOM, hello)))
	f.Add(cat(pre, packet(PacketPrelogin, 0, hello[:len(hello)/2]), packet(PacketPrelogin, StatusEOM, hello[len(hello)/2:])))
	f.Add(cat(pre, packet(PacketSQLBatch, StatusEOM, hello)))
	f.Add(cat(pre, packet(PacketPrelogin, StatusEOM, hello[:7])))
	f.Add(cat(packet(PacketPrelogin, StatusEOM, appendPreloginRequest(EncryptOff)), packet(PacketPrelogin, StatusEOM, hello)))
	f.Fuzz(func(t *testing.T, stream []byte) {
		serveScript(t, opts, func() Handler { return &fakeHandler{rec: &recorder{}} }, stream)
	})
}

// ntlmNegotiate is a minimal NTLM NEGOTIATE_MESSAGE (Unicode, NTLM,
// extended session security, 128-bit, key exchange).
func ntlmNegotiate() []byte {
	b := []byte("NTLMSSP\x00\x01\x00\x00\x00")
	b = appendU32(b, 0xE2088297)
	return append(b, make([]byte, 16)...)
}

// FuzzServeSSPI: an integrated-security LOGIN7 with any SSPI data and any
// SSPI messages after it.
func FuzzServeSSPI(f *testing.F) {
	srv, err := ntlm.NewServer(ntlm.Config{ComputerName: "SQLPRI", Domain: "CONTOSO", DNSDomain: "contoso.test",
		Accounts: ntlm.NewMemoryAccounts(ntlm.NewAccount("CONTOSO", "svc", "pw"))})
	if err != nil {
		f.Fatal(err)
	}
	login := func(sspi []byte) []byte {
		l := sampleLogin()
		l.OptionFlags2 |= Login7Flag2Integrated
		l.UserName, l.Password, l.SSPI = "", "", sspi
		return packet(PacketLogin7, StatusEOM, encodeLogin7(l))
	}
	pre := packet(PacketPrelogin, StatusEOM, appendPreloginRequest(EncryptNotSup))
	f.Add(cat(pre, login(ntlmNegotiate())))
	f.Add(cat(pre, login(ntlmNegotiate()), packet(PacketSSPI, StatusEOM, []byte("NTLMSSP\x00\x03\x00\x00\x00"))))
	f.Add(cat(pre, login(ntlmNegotiate()), packet(PacketSQLBatch, StatusEOM, []byte("x\x00"))))
	f.Add(cat(pre, login([]byte{0x60, 0x28, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02})))
	f.Add(cat(pre, login(nil)))
	f.Fuzz(func(t *testing.T, stream []byte) {
		serveScript(t, Options{LoginTimeout: -1}, func() Handler { return sspiHandler{&fakeHandler{rec: &recorder{}}, srv} }, stream)
	})
}

// bulkStream is a BULK_LOAD payload as go-mssqldb sends one: COLMETADATA,
// rows, DONE.
func bulkStream(tb testing.TB, level int, done bool) []byte {
	cols := []Column{{"id", IntN(4), false}, {"name", NVarChar(20), true}, {"note", VarCharMax(), true}, {"at", DateTime2(3), true}, {"blob", VarBinaryMax(), true}}
	b, err := appendColMetadata(nil, cols, level)
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range [][]any{{int64(1), "héllo", "long", time.Date(2024, 3, 5, 1, 2, 3, 0, time.UTC), []byte{1, 2}}, {int64(2), nil, nil, nil, nil}} {
		if b, err = appendRow(b, cols, r); err != nil {
			tb.Fatal(err)
		}
	}
	if done {
		b = appendDoneLevel(b, Done{}, level)
	}
	return b
}

// FuzzBulkLoad: any BULK_LOAD payload decodes or is refused as malformed,
// at TDS 7.4 and 7.1 framing.
func FuzzBulkLoad(f *testing.F) {
	f.Add(bulkStream(f, Level74, true), false)
	f.Add(bulkStream(f, Level74, false), false)
	f.Add(bulkStream(f, Level71, true), true)
	nbc := []byte{TokenColMetadata, 2, 0, 0, 0, 0, 0, 1, 0, TypeIntN, 4, 1, 'a', 0, 0, 0, 0, 0, 1, 0, TypeIntN, 4, 1, 'b', 0,
		TokenNBCRow, 0x02, 4, 7, 0, 0, 0}
	f.Add(nbc, false)
	f.Fuzz(func(t *testing.T, payload []byte, tds71 bool) {
		level := Level74
		if tds71 {
			level = Level71
		}
		req, err := DecodeRequestLevel(Message{Type: PacketBulkLoad, Payload: payload}, level)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		for _, row := range req.Bulk.Rows {
			if len(row) != len(req.Bulk.Columns) {
				t.Fatalf("row of %d values for %d columns", len(row), len(req.Bulk.Columns))
			}
		}
	})
}
