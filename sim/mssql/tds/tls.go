package tds

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// EncryptionMode is what PRELOGIN settled for one connection.
type EncryptionMode int

// Encryption modes (MS-TDS 2.2.6.5, the ENCRYPTION negotiation table).
const (
	// EncryptionNone: no TLS at all (either side answered NOT_SUP).
	EncryptionNone EncryptionMode = iota
	// EncryptionLogin: only the LOGIN7 message travels over TLS; the
	// login reply and everything after are clear text. A client asking
	// ENCRYPT_OFF of a server that has a certificate gets this: it is how
	// SQL Server keeps the password off the wire by default.
	EncryptionLogin
	// EncryptionFull: TLS from the LOGIN7 to the end of the connection
	// (the client asked ENCRYPT_ON or ENCRYPT_REQ, or the server forces
	// encryption).
	EncryptionFull
)

func (m EncryptionMode) String() string {
	switch m {
	case EncryptionNone:
		return "none"
	case EncryptionLogin:
		return "login-only"
	case EncryptionFull:
		return "full"
	}
	return fmt.Sprintf("EncryptionMode(%d)", int(m))
}

// NegotiateEncryption is the server's half of MS-TDS's ENCRYPTION table:
// from what the client sent (and whether it sent the option at all),
// whether the server has a certificate and whether it forces encryption,
// the value to answer and the mode the connection runs in. refuse is set
// when the client cannot go on (it asked for encryption from a server
// without a certificate, or refused it to a server that forces it): the
// server answers, and the client is expected to hang up; a LOGIN7 that
// comes anyway is refused.
func NegotiateEncryption(client byte, sent, haveCert, force bool) (answer byte, mode EncryptionMode, refuse bool) {
	if !sent {
		client = EncryptOff // MS-TDS: a missing ENCRYPTION option means ENCRYPT_OFF
	}
	if !haveCert {
		return EncryptNotSup, EncryptionNone, client == EncryptOn || client == EncryptReq
	}
	switch client {
	case EncryptNotSup:
		if force {
			return EncryptReq, EncryptionNone, true
		}
		return EncryptNotSup, EncryptionNone, false
	case EncryptOn, EncryptReq:
		return EncryptOn, EncryptionFull, false
	default: // EncryptOff and values MS-TDS does not define for a client
		if force {
			return EncryptReq, EncryptionFull, false
		}
		return EncryptOff, EncryptionLogin, false
	}
}

// ServerTLSConfig is the TLS configuration a TDS 7.x server offers: the
// certificate, TLS 1.2 at most (SQL Server speaks TLS 1.3 only under TDS
// 8.0's strict encryption, which starts TLS before PRELOGIN and which
// this server does not offer) and no session tickets (a TDS client never
// resumes: each connection has its own PRELOGIN).
func ServerTLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             tls.VersionTLS12,
		MaxVersion:             tls.VersionTLS12,
		SessionTicketsDisabled: true,
	}
}

// handshakeConn carries the TLS handshake inside TDS PRELOGIN messages,
// as MS-TDS 2.2.6.5 requires for TDS 7.x: each flight the client sends is
// one PRELOGIN message whose payload is TLS records; each flight the
// server sends goes back as one PRELOGIN message (type 0x12; go-mssqldb
// also accepts type 4 from "older endpoints"). When the handshake is
// over, passthrough makes it the raw byte stream under the tls.Conn.
type handshakeConn struct {
	raw         net.Conn
	mr          *MessageReader // the connection's reader, over raw
	pw          *PacketWriter  // PRELOGIN framing for the server's flights
	pending     []byte         // handshake bytes of the message being read
	buf         []byte
	wrote       bool // a flight is being written and is not sent yet
	passthrough bool
}

func newHandshakeConn(raw net.Conn, mr *MessageReader, spid uint16) *handshakeConn {
	return &handshakeConn{raw: raw, mr: mr, pw: NewPacketWriter(raw, MinPacketSize, spid)}
}

func (c *handshakeConn) Read(p []byte) (int, error) {
	if c.passthrough {
		return c.mr.r.Read(p)
	}
	if err := c.flush(); err != nil {
		return 0, err
	}
	for len(c.pending) == 0 {
		m, err := c.mr.ReadMessage(c.buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return 0, io.ErrUnexpectedEOF // a client leaving mid-handshake
			}
			return 0, err
		}
		c.buf = m.Payload[:0]
		if m.Type != PacketPrelogin {
			return 0, fmt.Errorf("tls handshake: %w: got a %v message, TLS records travel in PRELOGIN messages until the handshake ends", ErrMalformed, m.Type)
		}
		c.pending = m.Payload
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

func (c *handshakeConn) Write(p []byte) (int, error) {
	if c.passthrough {
		return c.raw.Write(p)
	}
	if !c.wrote {
		c.pw.BeginMessage(PacketPrelogin)
		c.wrote = true
	}
	return c.pw.Write(p)
}

// flush sends the flight written so far as one PRELOGIN message.
func (c *handshakeConn) flush() error {
	if !c.wrote {
		return nil
	}
	c.wrote = false
	return c.pw.EndMessage()
}

// done sends the server's last flight and turns the conn into the raw
// stream, so the tls.Conn above it speaks TLS records directly. Bytes the
// client sent after its last flight would be lost; a TDS client sends
// none before it has the server's Finished.
func (c *handshakeConn) done() error {
	if len(c.pending) != 0 {
		return fmt.Errorf("tls handshake: %w: %d bytes follow the client's last handshake flight", ErrMalformed, len(c.pending))
	}
	if err := c.flush(); err != nil {
		return err
	}
	c.passthrough = true
	return nil
}

func (c *handshakeConn) Close() error                       { return c.raw.Close() }
func (c *handshakeConn) LocalAddr() net.Addr                { return c.raw.LocalAddr() }
func (c *handshakeConn) RemoteAddr() net.Addr               { return c.raw.RemoteAddr() }
func (c *handshakeConn) SetDeadline(t time.Time) error      { return c.raw.SetDeadline(t) }
func (c *handshakeConn) SetReadDeadline(t time.Time) error  { return c.raw.SetReadDeadline(t) }
func (c *handshakeConn) SetWriteDeadline(t time.Time) error { return c.raw.SetWriteDeadline(t) }
