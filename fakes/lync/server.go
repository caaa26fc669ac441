// Package lync is a fake Lync Server 2013 / Skype for Business Server 2015
// management endpoint: WinRM (WS-Management) running powershell.exe with
// the Persistent Chat cmdlets over a modelled pool. The failback engine
// drives it exactly as it drives a real server, through
// github.com/masterzen/winrm. The Server is shaped like httptest.Server.
//
// Layers: wsman (SOAP/WinRS protocol) -> ps (PowerShell subset, generic)
// -> the cmdlets in this package -> pool (state, rules, events).
package lync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/fakes/lync/ps"
	"github.com/pchatdr/harness/fakes/lync/wsman"
	"github.com/pchatdr/harness/sim/ntlm"
	"github.com/pchatdr/harness/sim/tlscert"
)

// Options configure a Server.
type Options struct {
	// Pool is the modelled pool (see pool.FromTopology).
	Pool pool.Config
	// Users maps user names (DOMAIN\user; case-insensitive) to passwords:
	// the accounts WinRM's Negotiate (NTLMv2, verified against the
	// password) and, when allowed, Basic accept.
	Users map[string]string
	// Basic turns WinRM's Auth/Basic on (Windows ships it off); it is
	// accepted over HTTPS only, so Start refuses it without TLS.
	Basic bool
	// AllowUnencrypted is WinRM's AllowUnencrypted (Windows: false). The
	// fake does not implement WinRM message encryption, so without it a
	// plain-HTTP endpoint refuses every request: serve HTTPS.
	AllowUnencrypted bool
	// Addr to listen on; default "127.0.0.1:0".
	Addr string
	// TLS serves HTTPS with a fresh self-signed certificate for 127.0.0.1
	// and localhost (see Server.CertificatePEM), unless TLSConfig is set.
	TLS       bool
	TLSConfig *tls.Config
	// StatePath persists the pool state across restarts.
	StatePath string
	// MaxReceiveWait caps a Receive long-poll (default: the client's
	// OperationTimeout, 60s for masterzen/winrm).
	MaxReceiveWait time.Duration
	// Faults armed at start.
	Faults []Fault
	// Clock replaces time.Now for events.
	Clock func() time.Time
	// OnEvent is called for every event (state changes, cmdlets, faults).
	OnEvent func(pool.Event)
	// InstallMirror, when set, is what Install-CsMirrorDatabase does on
	// the SQL Servers: the real cmdlet backs each database up to the file
	// share, restores it WITH NORECOVERY on the mirror store and starts
	// database mirroring. It is called synchronously, once per database
	// the cmdlet mirrors and before the pool records the pair, so an error
	// becomes the cmdlet's error and leaves the pool unchanged. Nil: the
	// endpoint does that SQL Server side itself over SQL (TDS, as the real
	// cmdlet does from the Front End), or, with no SQL either, only
	// records the mirror pairs (a fake with no SQL Servers).
	InstallMirror func(ctx context.Context, req MirrorRequest) error
	// SQL, when set, is how the database cmdlets reach the topology's SQL
	// Servers (see SQLServers; NewTopologySQL). Nil: they answer from
	// the pool's records (a fake with no SQL Servers). Close closes it
	// when it has a Close method (TopologySQL may be opened again).
	SQL SQLServers
}

// MirrorRequest is one database Install-CsMirrorDatabase mirrors: the
// published topology's principal and mirror stores of that database type,
// and the cmdlet's parameters that say how.
type MirrorRequest struct {
	DatabaseType string // pool.DBPersistentChat or pool.DBPersistentChatCompliance
	Database     string // mgc or mgccomp
	// Principal and Mirror are the SQL store FQDNs from the topology.
	Principal, Mirror string
	// SqlInstanceName is -SqlInstanceName ("" for the default instance).
	SqlInstanceName string
	FileShare       string // -FileShare, a UNC path
	// DropExisting is -DropExistingDatabasesOnMirror: a database of the
	// same name already on the mirror is replaced instead of refused.
	DropExisting bool
}

// Server is a running fake endpoint.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:5985"; WinRM is at URL+"/wsman".
	URL string

	pool    *pool.Pool
	reg     *ps.Registry
	wsman   *wsman.Handler
	faults  faults
	users   map[string]string
	ln      net.Listener
	srv     *http.Server
	certPEM []byte
	served  chan struct{}
	once    sync.Once

	mirrorHook func(context.Context, MirrorRequest) error
	profile    profile
	sql        SQLServers
}

// Start listens and serves. It returns once the listener is bound.
func Start(opts Options) (*Server, error) {
	s, err := newServer(opts)
	if err != nil {
		return nil, err
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("lync: listen %s: %w", addr, err)
	}
	scheme := "http"
	if opts.Basic && !opts.TLS && opts.TLSConfig == nil {
		ln.Close()
		return nil, errors.New("lync: Basic authentication is served over HTTPS only: set TLS")
	}
	if opts.TLS || opts.TLSConfig != nil {
		cfg := opts.TLSConfig
		if cfg == nil {
			cert, pemBytes, _, err := SelfSigned("lyncfake")
			if err != nil {
				ln.Close()
				return nil, err
			}
			s.certPEM = pemBytes
			cfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
		}
		if len(cfg.Certificates) > 0 && len(cfg.Certificates[0].Certificate) > 0 {
			leaf, err := x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
			if err != nil {
				ln.Close()
				return nil, fmt.Errorf("lync: tls certificate: %w", err)
			}
			s.wsman.SetChannelBinding(ntlm.TLSServerEndPoint(leaf))
		}
		ln = tls.NewListener(ln, cfg)
		scheme = "https"
	}
	s.ln = ln
	s.URL = scheme + "://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second, ConnState: s.wsman.ConnState, ErrorLog: log.New(handshakeFilter{os.Stderr}, "", log.LstdFlags)}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// New builds a server without listening; use Handler to mount it.
func New(opts Options) (*Server, error) { return newServer(opts) }

func newServer(opts Options) (*Server, error) {
	if len(opts.Users) == 0 {
		return nil, errors.New("lync: at least one user is required")
	}
	var popts []pool.Option
	if opts.StatePath != "" {
		popts = append(popts, pool.WithPersistence(opts.StatePath))
	}
	if opts.Clock != nil {
		popts = append(popts, pool.WithClock(opts.Clock))
	}
	if opts.OnEvent != nil {
		popts = append(popts, pool.WithListener(opts.OnEvent))
	}
	p, err := pool.New(opts.Pool, popts...)
	if err != nil {
		return nil, fmt.Errorf("lync: %w", err)
	}
	prof, err := profileFor(opts.Pool.Product)
	if err != nil {
		return nil, err
	}
	s := &Server{pool: p, reg: ps.NewRegistry(), users: opts.Users, served: make(chan struct{}), mirrorHook: opts.InstallMirror, profile: prof, sql: opts.SQL}
	s.registerCmdlets(s.reg)
	for _, f := range opts.Faults {
		s.faults.add(f)
	}
	nt, err := ntlmServer(opts.Pool.PoolFQDN, opts.Users)
	if err != nil {
		return nil, fmt.Errorf("lync: %w", err)
	}
	s.wsman = wsman.NewHandler(wsman.Config{
		Authenticate:     wsman.Authenticator(opts.Users),
		NTLM:             nt,
		AllowBasic:       opts.Basic,
		AllowUnencrypted: opts.AllowUnencrypted,
		Exec:             s.exec,
		MaxReceiveWait:   opts.MaxReceiveWait,
		Intercept:        s.intercept,
	})
	return s, nil
}

// StateVersionHeader carries the pool's version (pool.Pool.Version) with
// GET /state's answer; StateWaitMax bounds how long GET /state?after= waits
// for a change.
const (
	StateVersionHeader = "X-Pool-Version"
	StateWaitMax       = time.Second
)

// Handler serves /wsman, GET /state, GET /events and /faults.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/wsman", s.wsman)
	// GET /state?after=V waits (at most StateWaitMax) until the pool's
	// version is no longer V: the chat servers learn of a change as it
	// happens instead of polling for it several times a second. The
	// version comes back in the StateVersionHeader.
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) {
		var st pool.State
		var v string
		if after := r.URL.Query().Get("after"); after != "" {
			ctx, cancel := context.WithTimeout(r.Context(), StateWaitMax)
			st, v = s.pool.StateAfter(ctx, after)
			cancel()
		} else {
			v = s.pool.Version()
			st = s.pool.State()
		}
		w.Header().Set(StateVersionHeader, v)
		writeJSON(w, st)
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		ev := s.pool.EventsSince(since)
		if ev == nil {
			ev = []pool.Event{}
		}
		writeJSON(w, ev)
	})
	mux.HandleFunc("/faults", s.serveFaults)
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// serveFaults: GET lists, POST arms (JSON Fault or {"spec": "..."}), DELETE
// clears. Basic auth as for /wsman.
func (s *Server) serveFaults(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || !wsman.Authenticator(s.users)(u, p) {
		w.Header().Set("WWW-Authenticate", `Basic realm="lyncfake"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, s.Faults())
	case http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		var body struct {
			Fault
			Spec string `json:"spec"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
			http.Error(w, "faults: "+err.Error(), http.StatusBadRequest)
			return
		}
		f := body.Fault
		if body.Spec != "" {
			var err error
			if f, err = ParseFault(body.Spec); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		switch f.Kind {
		case FaultLatency, FaultFail, FaultHang, FaultDrop, FaultHTTP500:
		default:
			http.Error(w, fmt.Sprintf("faults: unknown kind %q", f.Kind), http.StatusBadRequest)
			return
		}
		s.Inject(f)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// exec runs one WinRM command line.
func (s *Server) exec(ctx context.Context, cmd wsman.Command) wsman.Output {
	start := time.Now()
	hc, err := ps.ParseHostCommand(cmd.CommandLine)
	if errors.Is(err, ps.ErrNotPowerShell) {
		name := strings.Fields(cmd.CommandLine)
		term := cmd.CommandLine
		if len(name) > 0 {
			term = name[0]
		}
		return wsman.Output{Stderr: []byte(fmt.Sprintf("'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", term)), ExitCode: 1}
	}
	if err != nil {
		return wsman.Output{Stderr: []byte(err.Error() + "\r\n"), ExitCode: 1}
	}
	hooks := ps.Hooks{
		Before: s.beforeCmdlet,
		After: func(inv ps.Invocation) {
			if inv.Module != s.profile.module {
				return
			}
			ev := pool.Event{Kind: pool.KindCmdlet, Cmdlet: inv.Name, Text: inv.Text, Params: inv.Params, Outcome: "ok", Duration: inv.Duration}
			if inv.Params["WhatIf"] == "$true" {
				ev.Outcome = "whatif"
			}
			if inv.Err != nil {
				ev.Outcome, ev.Error = "error", inv.Err.Message
			}
			s.pool.Record(ev)
		},
	}
	stdout, stderr, code, _ := ps.Exec(ctx, s.reg, hooks, hc)
	s.pool.Record(pool.Event{Kind: pool.KindCommand, Text: hc.Script, Outcome: "exit " + strconv.Itoa(code), Duration: time.Since(start), User: cmd.User, Auth: cmd.Auth})
	return wsman.Output{Stdout: []byte(stdout), Stderr: []byte(stderr), ExitCode: code}
}

// Run executes a script in-process, as one powershell.exe -Command would
// (no WinRM). Useful for tools and tests.
func (s *Server) Run(ctx context.Context, script string) *ps.Result {
	_, _, _, res := ps.Exec(ctx, s.reg, ps.Hooks{Before: s.beforeCmdlet}, &ps.HostCommand{Script: script})
	return res
}

// Close stops serving, ends running commands and hung requests.
func (s *Server) Close() {
	s.once.Do(func() {
		s.wsman.Close()
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := s.srv.Shutdown(ctx); err != nil {
				_ = s.srv.Close()
			}
			cancel()
			<-s.served
		}
		if c, ok := s.sql.(interface{ Close() error }); ok {
			_ = c.Close()
		}
	})
}

// State is the pool snapshot (what GET /state serves).
func (s *Server) State() pool.State { return s.pool.State() }

// Events is the timeline so far.
func (s *Server) Events() []pool.Event { return s.pool.Events() }

// Pool gives access to the model (e.g. EventsSince).
func (s *Server) Pool() *pool.Pool { return s.pool }

// Inject arms a fault.
func (s *Server) Inject(f Fault) { s.faults.add(f) }

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// Faults lists armed faults.
func (s *Server) Faults() []Fault { return s.faults.snapshot() }

// Endpoint splits URL into what winrm.NewEndpoint takes.
func (s *Server) Endpoint() (host string, port int, https bool) {
	u, err := url.Parse(s.URL)
	if err != nil {
		return "", 0, false
	}
	port, _ = strconv.Atoi(u.Port())
	return u.Hostname(), port, u.Scheme == "https"
}

// CertificatePEM is the self-signed certificate (PEM) when TLS was asked
// for without a TLSConfig; pass it as the winrm endpoint's CACert.
func (s *Server) CertificatePEM() []byte { return s.certPEM }

// SelfSigned makes a self-signed CA certificate for the endpoint, valid for
// 127.0.0.1, localhost and names, with its PEM and its key's PEM (PKCS#8).
// A client trusts it by its PEM alone (winrm's CACert, a topology's CA
// file); whoever restarts the endpoint, or serves it from a container,
// keeps the key so the endpoint presents the same certificate again.
func SelfSigned(cn string, names ...string) (tls.Certificate, []byte, []byte, error) {
	c, err := tlscert.SelfSigned(cn, names...)
	if err != nil {
		return tls.Certificate{}, nil, nil, fmt.Errorf("lync: %w", err)
	}
	return c.TLS, c.CertPEM, c.KeyPEM, nil
}

// handshakeFilter drops net/http's "TLS handshake error" lines for
// connections the peer closed before the handshake (EOF, reset): a
// reachability probe, a client giving up, a world shutting down. Every
// other server error still reaches the log.
type handshakeFilter struct{ w io.Writer }

func (f handshakeFilter) Write(p []byte) (int, error) {
	line := string(p)
	if strings.Contains(line, "TLS handshake error") &&
		(strings.HasSuffix(strings.TrimSpace(line), "EOF") || strings.Contains(line, "connection reset by peer")) {
		return len(p), nil
	}
	return f.w.Write(p)
}

// ntlmServer is the Front End's NTLM acceptor: the domain is the one the
// users' DOMAIN\user names share (CONTOSO), its DNS name the pool's
// (contoso.test), the host the pool's first label; a user named without a
// domain is a local account of that host.
func ntlmServer(poolFQDN string, users map[string]string) (*ntlm.Server, error) {
	host, dnsDomain, _ := strings.Cut(poolFQDN, ".")
	if dnsDomain == "" {
		dnsDomain = "contoso.test"
	}
	computer := strings.ToUpper(host)
	if len(computer) > 15 {
		computer = computer[:15]
	}
	domain := ""
	for u := range users {
		if d, _, ok := strings.Cut(u, `\`); ok && domain == "" {
			domain = strings.ToUpper(d)
		}
	}
	if domain == "" {
		domain = strings.ToUpper(strings.Split(dnsDomain, ".")[0])
	}
	accounts := ntlm.NewMemoryAccounts()
	for u, p := range users {
		d, name, ok := strings.Cut(u, `\`)
		if !ok {
			d, name = computer, u
		}
		accounts.Add(ntlm.NewAccount(d, name, p))
	}
	return ntlm.NewServer(ntlm.Config{ComputerName: computer, Domain: domain, DNSDomain: dnsDomain, Accounts: accounts})
}
