// Package mssql is the embedded SQL Server simulator: the engine behind a TDS
// listener, shaped like net/http/httptest so a test (or the world) can start
// an instance on 127.0.0.1:0, take its address and Close it.
//
// Layers, dependencies one way: tds (wire) and tsql (syntax) know nothing of
// each other; engine executes parsed T-SQL over storage; this package only
// adapts engine sessions to TDS connections.
package mssql

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/tds"
	"github.com/pchatdr/harness/sim/ntlm"
	"github.com/pchatdr/harness/sim/tlscert"
)

// Config configures an embedded instance.
type Config struct {
	// Engine is the instance model's configuration: server name, data
	// folder ("" keeps everything in memory), sa password, accounts.
	Engine engine.Config
	// Listen is the address to listen on; default 127.0.0.1:0 (any free
	// loopback port). Ignored when Listener is set.
	Listen   string
	Listener net.Listener
	// Logf receives one line per connection-ending protocol problem.
	Logf func(format string, args ...any)
	// Certificate is the TLS certificate the instance presents. Nil makes
	// a self-signed one at start, as SQL Server does when no certificate
	// is configured: a client asking ENCRYPT_OFF then gets login-only
	// encryption and one asking ENCRYPT_ON full encryption.
	Certificate *tlscert.Certificate
	// ForceEncryption is SQL Server's Force Encryption setting: every
	// connection is encrypted, a client that cannot encrypt is refused.
	ForceEncryption bool
	// OnLogin, if set, hears of every login attempt that reached the
	// engine (SQL Server's login auditing of successes and failures).
	OnLogin func(LoginEvent)
	// Windows is the NTLM acceptor of the domain the instance is joined
	// to: Windows logins (Engine.WindowsLogins) authenticate through it.
	// Nil: the instance takes SQL logins only and refuses Windows ones
	// with 18452.
	Windows *ntlm.Server
}

// LoginEvent is one login attempt, as SQL Server's login auditing logs it
// (18453/18454 for successes, 18456 for failures).
type LoginEvent struct {
	User       string // the login: CONTOSO\svc-pchat or sa
	AppName    string
	AuthScheme string // NTLM (Windows authentication) or SQL
	Encryption string // none, login-only or full
	Err        error  // nil for a success
}

// Server is a running simulated SQL Server instance.
type Server struct {
	inst    *engine.Instance
	ln      net.Listener
	opts    tds.Options
	cert    tlscert.Certificate
	windows *ntlm.Server
	onLogin func(LoginEvent)
	logf    func(string, ...any)

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

// Start opens the instance (recovering its data folder) and starts serving.
func Start(cfg Config) (*Server, error) {
	if cfg.Engine.Name == "" {
		cfg.Engine.Name = "SIMSQL"
	}
	var cert tlscert.Certificate
	if cfg.Certificate != nil {
		cert = *cfg.Certificate
	} else {
		var err error
		if cert, err = tlscert.SelfSigned(cfg.Engine.Name, strings.ToLower(cfg.Engine.Name)); err != nil {
			return nil, fmt.Errorf("start instance %s: %w", cfg.Engine.Name, err)
		}
	}
	if cfg.Engine.Features == nil {
		// The full list, with the features that live outside the engine.
		cfg.Engine.Features = features.Default()
	}
	inst, err := engine.New(cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("start instance %s: %w", cfg.Engine.Name, err)
	}
	ln := cfg.Listener
	if ln == nil {
		addr := cfg.Listen
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			inst.Close()
			return nil, fmt.Errorf("start instance %s: %w", cfg.Engine.Name, err)
		}
	}
	s := &Server{
		inst:    inst,
		ln:      ln,
		logf:    cfg.Logf,
		cert:    cert,
		windows: cfg.Windows,
		onLogin: cfg.OnLogin,
		opts: tds.Options{ServerName: cfg.Engine.Name, Logf: cfg.Logf,
			TLS: tds.ServerTLSConfig(cert.TLS), ForceEncryption: cfg.ForceEncryption},
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			if s.logf != nil {
				s.logf("mssql accept: %v", err)
			}
			continue
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			// Each connection gets its own context so a KILL (or ROLLBACK
			// IMMEDIATE) can close exactly that connection.
			ctx, cancel := context.WithCancel(s.ctx)
			defer cancel()
			h := &handler{inst: s.inst, addr: conn.RemoteAddr().String(), localAddr: conn.LocalAddr().String(), connCtx: ctx, closeConn: cancel, windows: s.windows, onLogin: s.onLogin}
			tds.Serve(ctx, conn, func() tds.Handler { return h }, s.opts)
		}()
	}
}

// Addr is the host:port the instance listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// CertificatePEM is the certificate the instance presents (PEM): a
// client's CA file when the certificate is self-signed.
func (s *Server) CertificatePEM() []byte { return s.cert.CertPEM }

// Instance is the engine behind the listener, for in-process inspection.
func (s *Server) Instance() *engine.Instance { return s.inst }

// DSN is a go-mssqldb connection string for user and password to database,
// without encryption (the harness's own helpers; the engine connects with
// encrypt=true and the instance's certificate as its CA file).
func (s *Server) DSN(user, password, database string) string {
	return DSN(s.Addr(), user, password, database)
}

// DSN builds a go-mssqldb URL for a simulator address.
func DSN(addr, user, password, database string) string {
	q := url.Values{}
	if database != "" {
		q.Set("database", database)
	}
	q.Set("encrypt", "disable")
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(user, password), Host: addr, RawQuery: q.Encode()}
	return u.String()
}

// Close stops accepting, ends every connection and closes the instance
// (checkpointing its databases). It waits for all connection goroutines.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.ln.Close()
		s.wg.Wait()
		s.closeErr = s.inst.Close()
	})
	return s.closeErr
}
