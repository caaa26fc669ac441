package wsman

import (
	"net"
	"net/http"
	"testing"
)

// addrConn is a connection that only knows its peer's address.
type addrConn struct {
	net.Conn
	addr string
}

func (c *addrConn) RemoteAddr() net.Addr { return fakeAddr(c.addr) }

type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

// A closed connection's logon is forgotten, and only its own: on loopback
// a new connection can get the port of one just closed (a TIME_WAIT port
// is reused), and the server may see the old one's close only after the
// new one began its NTLM logon, which then failed with 401 (a scenario's
// "winrm create shell: winrm: http error 401" under load).
func TestClosedConnectionForgetsOnlyItsOwnLogon(t *testing.T) {
	h := &Handler{}
	const addr = "127.0.0.1:40000"
	old, cur := &addrConn{addr: addr}, &addrConn{addr: addr}
	h.ConnState(old, http.StateNew)
	h.conns.get(addr).user = `CONTOSO\old`
	h.ConnState(cur, http.StateNew)
	ca := h.conns.get(addr)
	ca.user = `CONTOSO\lyncadmin`
	h.ConnState(old, http.StateClosed) // the old connection's close, seen late
	if got := h.conns.get(addr).user; got != `CONTOSO\lyncadmin` {
		t.Fatalf("after the old connection's close the new connection's logon is %q, want CONTOSO\\lyncadmin", got)
	}
	h.ConnState(cur, http.StateClosed)
	if got := h.conns.get(addr).user; got != "" {
		t.Fatalf("after its own close the logon is %q, want none", got)
	}
}
