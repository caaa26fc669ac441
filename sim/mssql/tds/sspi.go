package tds

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// TokenSSPI carries a security token of an integrated-security login from
// the server to the client (MS-TDS 2.2.7.22); the client answers with an
// SSPI message (packet type 0x11) holding its next token.
const TokenSSPI = 0xED

// Authenticator is the server side of one Windows (SSPI) logon: NTLM,
// raw or inside SPNEGO. Serve feeds it the client's tokens, starting with
// LOGIN7's SSPI data, until Done.
type Authenticator interface {
	// Step consumes the client's next token and returns the token to send
	// back (nil when there is none). An error ends the logon.
	Step(token []byte) ([]byte, error)
	// Done reports whether the client is authenticated.
	Done() bool
	// Account is the authenticated Windows account as the domain spells
	// it (CONTOSO\svc-pchat), once Done.
	Account() string
}

// SSPIHandler is a Handler that accepts Windows logins. A handler without
// it refuses every integrated-security LOGIN7 with 18452, as a SQL
// Server that is not in the client's domain does.
type SSPIHandler interface {
	Handler
	// StartSSPI begins the logon of an integrated-security LOGIN7. A
	// *ServerError it returns is sent to the client as is.
	StartSSPI(ctx context.Context, l *Login7) (Authenticator, error)
}

// UntrustedDomain is SQL Server's error for a Windows logon that failed
// (an unknown account, a wrong password, a refused NTLM variant): 18452,
// class 14, state 1. Which of these it was goes to the server's log only.
func UntrustedDomain() *ServerError {
	return &ServerError{Number: 18452, Class: 14, State: 1,
		Message: "Login failed. The login is from an untrusted domain and cannot be used with Windows authentication."}
}

// maxSSPIRounds bounds the exchange: NTLM needs two client tokens, SPNEGO
// around it three.
const maxSSPIRounds = 4

// sspi runs the SSPI exchange of an integrated-security LOGIN7 and sets
// l.SSPIUser. It returns the token to send with the login reply (SPNEGO's
// accept-completed), or the *ServerError that refuses the login.
func (c *serverConn) sspi(ctx context.Context, h Handler, l *Login7) ([]byte, error) {
	sh, ok := h.(SSPIHandler)
	if !ok || len(l.SSPI) == 0 {
		return nil, UntrustedDomain()
	}
	auth, err := sh.StartSSPI(ctx, l)
	if err != nil {
		if !isServerError(err) {
			if c.opts.Logf != nil {
				c.opts.Logf("tds %s: windows logon: %v", c.conn.RemoteAddr(), err)
			}
			return nil, UntrustedDomain()
		}
		return nil, err
	}
	token := l.SSPI
	for round := 0; ; round++ {
		out, err := auth.Step(token)
		if err != nil {
			if c.opts.Logf != nil {
				c.opts.Logf("tds %s: windows logon failed: %v", c.conn.RemoteAddr(), err)
			}
			var se *ServerError
			if errors.As(err, &se) {
				return nil, se
			}
			return nil, UntrustedDomain()
		}
		if auth.Done() {
			l.SSPIUser = auth.Account()
			return out, nil
		}
		if len(out) == 0 || round == maxSSPIRounds {
			return nil, UntrustedDomain()
		}
		c.pw.BeginMessage(PacketReply)
		if _, err := c.pw.Write(appendSSPI(c.rw.b[:0], out)); err != nil {
			return nil, err
		}
		if err := c.pw.EndMessage(); err != nil {
			return nil, err
		}
		m, err := c.mr.ReadMessage(c.buf)
		if err != nil {
			return nil, fmt.Errorf("tds sspi: %w", err)
		}
		c.buf = m.Payload[:0]
		if m.Type != PacketSSPI {
			return nil, fmt.Errorf("tds sspi: %w: got a %v message where the client's SSPI token belongs", ErrMalformed, m.Type)
		}
		token = append([]byte(nil), m.Payload...)
	}
}

// appendSSPI appends an SSPI token: 0xED, a 2-byte length, the bytes.
func appendSSPI(b, token []byte) []byte {
	b = append(b, TokenSSPI)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(token)))
	return append(b, token...)
}
