package lync

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/Azure/go-ntlmssp"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// Auth methods for WinRMConfig.Auth.
const (
	// AuthNTLM negotiates NTLM (the WinRM service default on Windows). It
	// never falls back to Basic: a server that offers no Negotiate/NTLM
	// gets no password.
	AuthNTLM = "ntlm"
	// AuthBasic sends HTTP Basic only (WinRM needs Auth/Basic enabled;
	// over http only with AllowUnencrypted, as WinRM's client requires).
	AuthBasic = "basic"
)

// maxCommandLine is the cmd.exe command-line limit; the WinRM cmd shell
// starts powershell.exe through it.
const maxCommandLine = 8191

// WinRMConfig says how to reach a Lync/SfB server's WinRM listener.
// Password is only ever sent to the server; String and GoString mask it.
type WinRMConfig struct {
	URL                string        // http(s)://host:port/wsman
	User               string        // DOMAIN\user or user@domain
	Password           string        // never logged
	Auth               string        // AuthNTLM (default) or AuthBasic
	InsecureSkipVerify bool          // default false: the certificate is verified
	CACertPEM          []byte        // extra trust roots for the listener's certificate
	TLSServerName      string        // certificate name when it differs from the URL host
	Timeout            time.Duration // per HTTP request; 0 means 60s
	// AllowUnencrypted permits an http:// URL. Without message encryption
	// (which this client does not implement) credentials and scripts then
	// cross the network readable, so it must be asked for explicitly; the
	// harness sets it for its loopback fake.
	AllowUnencrypted bool
}

// String describes the config without the password.
func (c WinRMConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = "***"
	}
	return fmt.Sprintf("winrm{url=%s user=%s password=%s auth=%s insecure=%t}", c.URL, c.User, pw, c.auth(), c.InsecureSkipVerify)
}

// GoString keeps %#v from printing the password.
func (c WinRMConfig) GoString() string { return c.String() }

func (c WinRMConfig) auth() string {
	if c.Auth == "" {
		return AuthNTLM
	}
	return strings.ToLower(c.Auth)
}

// WinRMRunner runs scripts with powershell.exe in a WinRM cmd shell, one
// shell per script (shells are cheap and a fresh one carries no state from
// an earlier step).
type WinRMRunner struct {
	cfg      WinRMConfig
	url      string
	endpoint *winrm.Endpoint
	client   *http.Client
	opTime   string // WS-Man OperationTimeout, shorter than the HTTP timeout
}

// NewWinRMRunner validates cfg and prepares the HTTP client. It does not
// connect.
func NewWinRMRunner(cfg WinRMConfig) (*WinRMRunner, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("winrm config: url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("winrm config: url %q: scheme must be http or https", cfg.URL)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("winrm config: url %q has no host", cfg.URL)
	}
	if u.Scheme == "http" && !cfg.AllowUnencrypted {
		return nil, fmt.Errorf("winrm config: url %q is http: credentials and commands would travel unencrypted; use https or set AllowUnencrypted", cfg.URL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("winrm config: url must not carry credentials; use User and Password")
	}
	if cfg.auth() != AuthNTLM && cfg.auth() != AuthBasic {
		return nil, fmt.Errorf("winrm config: auth %q is not %q or %q", cfg.Auth, AuthNTLM, AuthBasic)
	}
	if cfg.User == "" {
		return nil, fmt.Errorf("winrm config: user is empty")
	}
	port := 5985
	if u.Scheme == "https" {
		port = 5986
	}
	if p := u.Port(); p != "" {
		port, err = strconv.Atoi(p)
		if err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("winrm config: url %q: bad port", cfg.URL)
		}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	tlsCfg := &tls.Config{InsecureSkipVerify: cfg.InsecureSkipVerify, ServerName: cfg.TLSServerName, MinVersion: tls.VersionTLS12}
	if len(cfg.CACertPEM) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, fmt.Errorf("winrm config: CACertPEM holds no PEM certificate")
		}
		tlsCfg.RootCAs = pool
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsCfg,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	var rt http.RoundTripper = base
	if cfg.auth() == AuthNTLM {
		rt = ntlmssp.Negotiator{RoundTripper: noBasic{base}}
	}
	// The server has to answer an empty Receive before our HTTP timeout.
	op := timeout - 5*time.Second
	if op < timeout/2 {
		op = timeout / 2
	}
	if op < time.Second {
		op = time.Second
	}
	return &WinRMRunner{
		cfg:      cfg,
		url:      (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String(),
		endpoint: winrm.NewEndpoint(u.Hostname(), port, u.Scheme == "https", cfg.InsecureSkipVerify, cfg.CACertPEM, nil, nil, timeout),
		client:   &http.Client{Transport: rt},
		opTime:   fmt.Sprintf("PT%dS", int(op/time.Second)),
	}, nil
}

// EncodeCommand is the cmd-shell command line that runs script:
// powershell.exe without profile, non-interactive (a confirmation prompt
// then fails instead of hanging the remote shell), with the script as
// base64 UTF-16LE in -EncodedCommand so no cmd.exe quoting applies.
func EncodeCommand(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i] = byte(c)
		b[2*i+1] = byte(c >> 8)
	}
	return "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + base64.StdEncoding.EncodeToString(b)
}

// Close releases idle connections.
func (r *WinRMRunner) Close() error {
	r.client.CloseIdleConnections()
	return nil
}

// Run runs script and returns its output. The context bounds the whole
// exchange: every WS-Man request carries it, so a cancelled context stops
// the run within one round trip. The shell is then closed with a short
// detached context so a cancelled run does not leave it open on the server.
func (r *WinRMRunner) Run(ctx context.Context, script string) (Output, error) {
	cmdline := EncodeCommand(script)
	if len(cmdline) > maxCommandLine {
		return Output{}, fmt.Errorf("winrm run: %w: encoded script is %d characters, over the %d command-line limit", ErrBadScript, len(cmdline), maxCommandLine)
	}
	tr := &ctxTransport{url: r.url, user: r.cfg.User, password: r.cfg.Password, client: r.client}
	tr.setContext(ctx)
	params := winrm.NewParameters(r.opTime, "en-US", 153600)
	params.TransportDecorator = func() winrm.Transporter { return tr }
	// User and password go to our transport only, never into the library.
	client, err := winrm.NewClientWithParameters(r.endpoint, "", "", params)
	if err != nil {
		return Output{}, fmt.Errorf("winrm client: %w", err)
	}
	shell, err := client.CreateShell()
	if err != nil {
		return Output{}, fmt.Errorf("winrm create shell: %w", err)
	}
	cleanup := func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		tr.setContext(cctx)
		_ = shell.Close()
	}
	cmd, err := shell.Execute(cmdline)
	if err != nil {
		cleanup()
		return Output{}, fmt.Errorf("winrm execute: %w", err)
	}
	var stdout, stderr bytes.Buffer
	var outErr, errErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _, outErr = io.Copy(&stdout, cmd.Stdout) }()
	go func() { defer wg.Done(); _, errErr = io.Copy(&stderr, cmd.Stderr) }()
	cmd.Wait()
	wg.Wait()
	out := Output{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: cmd.ExitCode()}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	tr.setContext(cctx)
	_ = cmd.Close()
	cancel()
	cleanup()
	if err := errors.Join(outErr, errErr); err != nil {
		// The library closes both pipes with the same error.
		if outErr != nil {
			err = outErr
		}
		if ctx.Err() != nil {
			return out, fmt.Errorf("winrm receive: %w", ctx.Err())
		}
		return out, fmt.Errorf("winrm receive: %w", err)
	}
	return out, nil
}

// ctxTransport is the winrm.Transporter the runner plugs into the library
// (this masterzen/winrm version has no context support). It binds every
// request to the current context, keeps credentials out of the library, and
// returns HTTP failures as *HTTPStatusError instead of a formatted string.
type ctxTransport struct {
	url, user, password string
	client              *http.Client

	mu  sync.Mutex
	ctx context.Context
}

func (t *ctxTransport) setContext(ctx context.Context) {
	t.mu.Lock()
	t.ctx = ctx
	t.mu.Unlock()
}

func (t *ctxTransport) context() context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ctx
}

// Transport is part of winrm.Transporter; the HTTP client is built once in
// NewWinRMRunner, so there is nothing to do per endpoint.
func (t *ctxTransport) Transport(*winrm.Endpoint) error { return nil }

// maxBody bounds what one WS-Man answer may make us read.
const maxBody = 32 << 20

// Post sends one SOAP message.
func (t *ctxTransport) Post(_ *winrm.Client, msg *soap.SoapMessage) (string, error) {
	req, err := http.NewRequestWithContext(t.context(), http.MethodPost, t.url, strings.NewReader(msg.String()))
	if err != nil {
		return "", fmt.Errorf("winrm request: %w", err)
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.SetBasicAuth(t.user, t.password)
	resp, err := t.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("winrm post: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return "", fmt.Errorf("winrm read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		sub, reason := parseFault(body)
		if reason == "" && resp.StatusCode != http.StatusUnauthorized {
			reason = strings.TrimSpace(truncate(string(body), 300))
		}
		return "", &HTTPStatusError{StatusCode: resp.StatusCode, Subcode: sub, Fault: reason}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "application/soap+xml") {
		return "", fmt.Errorf("winrm answer: content type %q is not application/soap+xml", ct)
	}
	return string(body), nil
}

// parseFault pulls the subcode and reason out of a SOAP 1.2 fault.
func parseFault(body []byte) (subcode, reason string) {
	var env struct {
		Body struct {
			Fault struct {
				Code struct {
					Subcode struct {
						Value string `xml:"Value"`
					} `xml:"Subcode"`
				} `xml:"Code"`
				Reason struct {
					Text string `xml:"Text"`
				} `xml:"Reason"`
			} `xml:"Fault"`
		} `xml:"Body"`
	}
	if xml.Unmarshal(body, &env) != nil {
		return "", ""
	}
	f := env.Body.Fault
	return strings.TrimSpace(f.Code.Subcode.Value), strings.TrimSpace(f.Reason.Text)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// ErrNoNegotiate is returned when a server answers a logon with no
// Negotiate/NTLM challenge: go-ntlmssp's Negotiator would then retry with
// Basic, sending the password; the engine refuses instead.
var ErrNoNegotiate = errors.New("the server does not offer Negotiate/NTLM authentication")

// noBasic sits under the NTLM negotiator and stops the Basic fallback
// request it makes when the server's 401 offers no Negotiate/NTLM.
type noBasic struct{ next http.RoundTripper }

func (n noBasic) RoundTrip(req *http.Request) (*http.Response, error) {
	if a := req.Header.Get("Authorization"); len(a) >= 6 && strings.EqualFold(a[:6], "basic ") {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("winrm auth %s: %w; refusing to fall back to Basic (enable Negotiate on the WinRM service, or set auth %q over https where Basic is enabled)", req.URL.Redacted(), ErrNoNegotiate, AuthBasic)
	}
	return n.next.RoundTrip(req)
}
