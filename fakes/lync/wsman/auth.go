package wsman

import (
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/ntlm"
)

// Authentication as the WinRM service does it (winrm get
// winrm/config/service/auth): Negotiate on (NTLM here: no Kerberos in a
// simulated domain), Basic off unless configured, and Basic never over
// plain HTTP. Negotiate is connection-based, as HTTP.sys does it: the
// logon takes two round trips on one TCP connection, and later requests
// on that connection need no Authorization header.

// connAuth is what one TCP connection has done to log on.
type connAuth struct {
	// conn is the connection the logon belongs to (nil when the server
	// has no ConnState hook).
	conn   net.Conn
	hs     *ntlm.Handshake
	user   string // DOMAIN\user once logged on
	scheme string // the scheme it logged on with (Negotiate or NTLM)
}

// conns tracks logons by connection (the client's address and port name a
// live TCP connection). ConnState forgets a closed connection; without
// that hook the table is bounded and the oldest logon is dropped, which a
// client sees as a new challenge. A new connection can reuse the address
// of one just closed (on loopback a TIME_WAIT port is reused at once) and
// the server may see the old connection's close after the new one began
// to log on: each entry remembers its connection, and only that
// connection's close forgets it.
type conns struct {
	mu    sync.Mutex
	m     map[string]*connAuth
	order []string
}

const maxConns = 4096

func (c *conns) get(addr string) *connAuth {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*connAuth{}
	}
	a, ok := c.m[addr]
	if !ok {
		if len(c.order) >= maxConns {
			delete(c.m, c.order[0])
			c.order = c.order[1:]
		}
		a = &connAuth{}
		c.m[addr] = a
		c.order = append(c.order, addr)
	}
	return a
}

// open starts a new connection's table entry: a connection logs on anew,
// whatever an earlier one from the same address did.
func (c *conns) open(conn net.Conn) {
	addr := conn.RemoteAddr().String()
	a := c.get(addr)
	c.mu.Lock()
	defer c.mu.Unlock()
	*a = connAuth{conn: conn}
}

// forget drops conn's entry; an entry of a later connection from the same
// address stays.
func (c *conns) forget(conn net.Conn) {
	addr := conn.RemoteAddr().String()
	c.mu.Lock()
	defer c.mu.Unlock()
	if a, ok := c.m[addr]; !ok || a.conn != nil && a.conn != conn {
		return
	}
	delete(c.m, addr)
	for i, a := range c.order {
		if a == addr {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}

// ConnState is for http.Server.ConnState: a new connection must log on
// again, as with HTTP.sys, and a closed connection's logon is forgotten.
func (h *Handler) ConnState(c net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		h.conns.open(c)
	case http.StateClosed, http.StateHijacked:
		h.conns.forget(c)
	}
}

// challenge answers 401 with the schemes the service offers on this
// channel: Negotiate when NTLM is configured, Basic only when allowed and
// over HTTPS (on plain HTTP Windows does not offer it without
// AllowUnencrypted, and this service never takes a password in clear).
func (h *Handler) challenge(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, h.cfg.MaxEnvelopeBytes))
	if h.cfg.NTLM != nil {
		w.Header().Add("WWW-Authenticate", "Negotiate")
	}
	if h.basicAllowed(r) {
		w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
	w.WriteHeader(http.StatusUnauthorized)
}

func (h *Handler) basicAllowed(r *http.Request) bool {
	return h.cfg.AllowBasic && h.cfg.Authenticate != nil && r.TLS != nil
}

// authenticate returns the logged-on user and the scheme that logged them
// on, or writes the 401 (challenge or next NTLM leg) and returns false.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) (user, scheme string, ok bool) {
	ca := h.conns.get(r.RemoteAddr)
	scheme, token, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	switch {
	case scheme == "":
		h.conns.mu.Lock()
		user, scheme := ca.user, ca.scheme
		h.conns.mu.Unlock()
		if user != "" {
			return user, scheme, true
		}
	case strings.EqualFold(scheme, "Basic"):
		if !h.basicAllowed(r) {
			break
		}
		if u, p, ok := r.BasicAuth(); ok && h.cfg.Authenticate(u, p) {
			return u, "Basic", true
		}
	case (strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "NTLM")) && h.cfg.NTLM != nil:
		user, ok := h.negotiate(w, r, ca, scheme, token)
		return user, scheme, ok
	}
	h.challenge(w, r)
	return "", "", false
}

// negotiate runs one leg of an NTLM logon (raw or in SPNEGO).
func (h *Handler) negotiate(w http.ResponseWriter, r *http.Request, ca *connAuth, scheme, token string) (string, bool) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	h.conns.mu.Lock()
	if ca.hs == nil || ca.hs.Done() {
		// A new logon on this connection starts over (also after one
		// that succeeded: the client authenticates again).
		var opts []ntlm.HandshakeOption
		if r.TLS != nil && len(h.cfg.ChannelBinding) > 0 {
			// WinRM's CbtHardeningLevel default, Relaxed: a client that
			// sends a channel binding must send this channel's.
			opts = append(opts, ntlm.WithChannelBindings(h.cfg.ChannelBinding, ntlm.ChannelBindingRelaxed))
		}
		ca.hs, ca.user = h.cfg.NTLM.NewHandshake(opts...), ""
	}
	hs := ca.hs
	h.conns.mu.Unlock()
	var out []byte
	if err == nil {
		out, err = hs.Step(raw)
	}
	if err != nil {
		h.conns.mu.Lock()
		ca.hs, ca.user = nil, ""
		h.conns.mu.Unlock()
		if h.cfg.OnAuthFailure != nil {
			h.cfg.OnAuthFailure(r, err)
		}
		h.challenge(w, r)
		return "", false
	}
	if !hs.Done() {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, h.cfg.MaxEnvelopeBytes))
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(out))
		w.WriteHeader(http.StatusUnauthorized)
		return "", false
	}
	user := hs.Result().Account.String()
	h.conns.mu.Lock()
	ca.user, ca.scheme = user, scheme
	h.conns.mu.Unlock()
	if len(out) > 0 {
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(out))
	}
	return user, true
}

// ErrUnencrypted is the fault reason for a plain-HTTP request when the
// service does not allow unencrypted traffic.
var ErrUnencrypted = errors.New("unencrypted traffic is disabled")

// SetChannelBinding sets Config.ChannelBinding once the server knows its
// certificate; call it before serving.
func (h *Handler) SetChannelBinding(b []byte) { h.cfg.ChannelBinding = append([]byte(nil), b...) }
