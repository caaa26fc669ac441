package tds

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawClient speaks the protocol by hand, for what go-mssqldb never sends.
type rawClient struct {
	conn net.Conn
	mr   *MessageReader
	pw   *PacketWriter
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &rawClient{conn: conn, mr: NewMessageReader(conn, MaxPacketSize, 0), pw: NewPacketWriter(conn, 4096, 0)}
}

func (c *rawClient) send(t *testing.T, typ PacketType, payload []byte) {
	t.Helper()
	c.pw.BeginMessage(typ)
	if _, err := c.pw.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := c.pw.EndMessage(); err != nil {
		t.Fatal(err)
	}
}

func (c *rawClient) recv(t *testing.T) Message {
	t.Helper()
	m, err := c.mr.ReadMessage(nil)
	if err != nil {
		t.Fatalf("reading reply: %v", err)
	}
	if m.Type != PacketReply {
		t.Fatalf("reply packet type %v", m.Type)
	}
	return m
}

func (c *rawClient) login(t *testing.T, l *Login7) []tok {
	t.Helper()
	c.send(t, PacketPrelogin, goMssqldbPrelogin())
	p, err := ParsePrelogin(c.recv(t).Payload)
	if err != nil || p.Encryption != EncryptNotSup {
		t.Fatalf("prelogin reply %+v %v", p, err)
	}
	c.send(t, PacketLogin7, encodeLogin7(l))
	return scanTokens(t, c.recv(t).Payload)
}

func tokString(ts []tok) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.String())
	}
	return strings.Join(s, " ")
}

func TestLoginSequence(t *testing.T) {
	addr, _ := startServer(t)
	c := dialRaw(t, addr)
	l := sampleLogin()
	l.Password = "pw"
	l.PacketSize = 600
	// Read the login reply packet by packet to check framing and SPID.
	c.send(t, PacketPrelogin, goMssqldbPrelogin())
	c.recv(t)
	c.send(t, PacketLogin7, encodeLogin7(l))
	var hdr [8]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(c.conn, hdr[:]); err != nil {
			t.Fatal(err)
		}
		n := int(binary.BigEndian.Uint16(hdr[2:]))
		if n > MinPacketSize {
			t.Errorf("login reply packet of %d bytes before the packet size was negotiated", n)
		}
		if spid := binary.BigEndian.Uint16(hdr[4:]); spid != 53 {
			t.Errorf("SPID %d in header, want 53 from LoginReply", spid)
		}
		body := make([]byte, n-8)
		if _, err := io.ReadFull(c.conn, body); err != nil {
			t.Fatal(err)
		}
		payload = append(payload, body...)
		if hdr[1] == StatusEOM {
			break
		}
		if hdr[1] != 0 {
			t.Fatalf("non-final packet status %#x", hdr[1])
		}
	}
	toks := scanTokens(t, payload)
	if got := tokString(toks); got != "E3 AB:5701 E3 E3 AB:5703 AD E3 FD:0" {
		t.Errorf("login reply tokens %s", got)
	}
	// LOGINACK: interface 1, TDS version big-endian 74000004.
	i := strings.Index(string(payload), "\xad")
	if ack := payload[i:]; ack[3] != 1 || binary.BigEndian.Uint32(ack[4:]) != VerTDS74 {
		t.Errorf("LOGINACK % x", ack[:8])
	}
	for _, want := range []string{"\x07\x05\x09\x04\xd0\x00\x34\x00", string(appendUTF16(nil, "mgc")), string(appendUTF16(nil, "600"))} {
		if !strings.Contains(string(payload), want) {
			t.Errorf("login reply lacks % x", want)
		}
	}
	// After login the negotiated 600-byte packets apply.
	c.send(t, PacketSQLBatch, append(allHeaders(0), appendUTF16(nil, "SELECT alltypes")...))
	for {
		if _, err := io.ReadFull(c.conn, hdr[:]); err != nil {
			t.Fatal(err)
		}
		n := int(binary.BigEndian.Uint16(hdr[2:]))
		if n > 600 {
			t.Fatalf("packet of %d bytes exceeds the negotiated 600", n)
		}
		if _, err := io.ReadFull(c.conn, make([]byte, n-8)); err != nil {
			t.Fatal(err)
		}
		if hdr[1] == StatusEOM {
			break
		}
	}
}

func TestProtocolEdges(t *testing.T) {
	addr, _ := startServer(t)
	batch := func(sql string) []byte { return append(allHeaders(0), appendUTF16(nil, sql)...) }
	ok := func(t *testing.T, c *rawClient) {
		c.send(t, PacketSQLBatch, batch("SELECT multi"))
		if m := c.recv(t); len(m.Payload) < 13 || m.Payload[len(m.Payload)-13] != TokenDone || m.Payload[len(m.Payload)-12]&DoneMore != 0 {
			t.Errorf("follow-up batch reply does not end in a final DONE")
		}
	}
	l := sampleLogin()
	l.Password = "pw"

	t.Run("late attention gets its own DONE(ATTN)", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.login(t, l)
		c.send(t, PacketAttention, nil)
		if got := tokString(scanTokens(t, c.recv(t).Payload)); got != "FD:20" {
			t.Errorf("reply %s", got)
		}
		ok(t, c)
	})
	t.Run("unknown packet type", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.login(t, l)
		c.send(t, PacketBulkLoad, []byte{1, 2, 3})
		if got := tokString(scanTokens(t, c.recv(t).Payload)); got != "AA:4002 FD:2" {
			t.Errorf("reply %s", got)
		}
		c.send(t, PacketType(0x55), nil)
		if got := tokString(scanTokens(t, c.recv(t).Payload)); got != "AA:4002 FD:2" {
			t.Errorf("reply %s", got)
		}
		ok(t, c)
	})
	t.Run("undecodable rpc keeps the connection", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.login(t, l)
		c.send(t, PacketRPC, append(allHeaders(0), 0xFF, 0xFF, 99, 0))
		if got := tokString(scanTokens(t, c.recv(t).Payload)); got != "AA:4002 FE:2" {
			t.Errorf("reply %s", got)
		}
		ok(t, c)
	})
	t.Run("malformed header closes the connection", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.login(t, l)
		if _, err := c.conn.Write([]byte{1, 1, 0, 3, 0, 0, 1, 0}); err != nil {
			t.Fatal(err)
		}
		if got := tokString(scanTokens(t, c.recv(t).Payload)); got != "AA:4002 FD:102" {
			t.Errorf("reply %s", got)
		}
		if _, err := c.mr.ReadMessage(nil); err != io.EOF {
			t.Errorf("after the protocol error: %v, want EOF", err)
		}
	})
	t.Run("oversize packet after negotiation closes", func(t *testing.T) {
		c := dialRaw(t, addr)
		l2 := *l
		l2.PacketSize = 512
		c.login(t, &l2)
		big := NewPacketWriter(c.conn, 4096, 0)
		big.BeginMessage(PacketSQLBatch)
		_, _ = big.Write(batch(strings.Repeat("x", 1000)))
		_ = big.EndMessage()
		c.recv(t)
		if _, err := c.mr.ReadMessage(nil); err != io.EOF {
			t.Errorf("got %v, want EOF", err)
		}
	})
	t.Run("bad login offsets close without reply", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.send(t, PacketPrelogin, goMssqldbPrelogin())
		c.recv(t)
		msg := encodeLogin7(l)
		binary.LittleEndian.PutUint16(msg[40:], 0xFFF0)
		c.send(t, PacketLogin7, msg)
		if _, err := c.mr.ReadMessage(nil); err != io.EOF {
			t.Errorf("got %v, want EOF", err)
		}
	})
	t.Run("batch before login", func(t *testing.T) {
		c := dialRaw(t, addr)
		c.send(t, PacketSQLBatch, batch("select 1;"))
		if _, err := c.mr.ReadMessage(nil); err != io.EOF {
			t.Errorf("got %v, want EOF", err)
		}
	})
	t.Run("login rejected", func(t *testing.T) {
		c := dialRaw(t, addr)
		l2 := *l
		l2.Password = "nope"
		if got := tokString(c.login(t, &l2)); got != "AA:18456 FD:2" {
			t.Errorf("reply %s", got)
		}
		if _, err := c.mr.ReadMessage(nil); err != io.EOF {
			t.Errorf("got %v, want EOF", err)
		}
	})
}

// TestServeEnds checks Serve's return values and that it stops on ctx.
func TestServeEnds(t *testing.T) {
	l := sampleLogin()
	l.Password = "pw"
	cases := []struct {
		name   string
		client func(t *testing.T, c *rawClient)
		check  func(err error) bool
	}{
		{"client leaves before login", func(t *testing.T, c *rawClient) { c.conn.Close() }, func(err error) bool { return err == nil }},
		{"client leaves after login", func(t *testing.T, c *rawClient) { c.login(t, l); c.conn.Close() }, func(err error) bool { return err == nil }},
		{"rejected login", func(t *testing.T, c *rawClient) {
			l2 := *l
			l2.UserName = "x"
			c.login(t, &l2)
		}, func(err error) bool { return errors.Is(err, ErrLoginFailed) }},
		{"protocol violation", func(t *testing.T, c *rawClient) { c.send(t, PacketRPC, nil) }, func(err error) bool { return errors.Is(err, ErrMalformed) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, cli := net.Pipe()
			done := make(chan error, 1)
			go func() {
				done <- Serve(context.Background(), srv, func() Handler { return &fakeHandler{rec: &recorder{}} }, Options{})
			}()
			c := &rawClient{conn: cli, mr: NewMessageReader(cli, MaxPacketSize, 0), pw: NewPacketWriter(cli, 4096, 0)}
			tc.client(t, c)
			go func() { _, _ = io.Copy(io.Discard, cli) }()
			select {
			case err := <-done:
				if !tc.check(err) {
					t.Errorf("Serve returned %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return")
			}
			cli.Close()
		})
	}

	t.Run("context cancel stops a blocked request", func(t *testing.T) {
		srv, cli := net.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- Serve(ctx, srv, func() Handler { return &fakeHandler{rec: &recorder{}} }, Options{})
		}()
		c := &rawClient{conn: cli, mr: NewMessageReader(cli, MaxPacketSize, 0), pw: NewPacketWriter(cli, 4096, 0)}
		c.login(t, l)
		c.send(t, PacketSQLBatch, append(allHeaders(0), appendUTF16(nil, "SELECT block")...))
		go func() { _, _ = io.Copy(io.Discard, cli) }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve returned %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve did not return after ctx cancel")
		}
		cli.Close()
	})
}

func TestLoginTimeout(t *testing.T) {
	srv, cli := net.Pipe()
	defer cli.Close()
	done := make(chan error, 1)
	go func() {
		done <- Serve(context.Background(), srv, func() Handler { return &fakeHandler{rec: &recorder{}} }, Options{LoginTimeout: 100 * time.Millisecond})
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Errorf("got %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("idle connection was not dropped")
	}
}
