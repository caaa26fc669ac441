package lync

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"
)

const envOpen = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">`

const timeoutFault = envOpen + `<s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`

// wsman is just enough of a WinRM service for the runner: one shell, one
// command, canned output.
type wsman struct {
	t          *testing.T
	user, pass string
	stdout     string
	stderr     string
	exit       int
	status     int           // when non-zero, every request gets this HTTP status
	timeouts   int           // Receive answers with an OperationTimeout fault this many times first
	hang       chan struct{} // when set, Receive blocks until it closes or the client goes away
	hanging    chan struct{} // when set with hang, closed when the first Receive starts blocking

	hangOnce sync.Once
	mu       sync.Mutex
	actions  []string
	command  string
}

var actionRE = regexp.MustCompile(`<a:Action[^>]*>([^<]+)</a:Action>`)
var commandRE = regexp.MustCompile(`<rsp:Command>(?:<!\[CDATA\[)?([^<\]]*)`)

func (w *wsman) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if w.status != 0 {
		rw.WriteHeader(w.status)
		return
	}
	u, p, ok := r.BasicAuth()
	if !ok || u != w.user || p != w.pass {
		rw.WriteHeader(http.StatusUnauthorized)
		return
	}
	body := make([]byte, 1<<20)
	n, _ := r.Body.Read(body)
	for n < len(body) {
		m, err := r.Body.Read(body[n:])
		n += m
		if err != nil {
			break
		}
	}
	req := string(body[:n])
	m := actionRE.FindStringSubmatch(req)
	if m == nil {
		rw.WriteHeader(400)
		return
	}
	action := m[1][strings.LastIndex(m[1], "/")+1:]
	w.mu.Lock()
	w.actions = append(w.actions, action)
	if c := commandRE.FindStringSubmatch(req); c != nil {
		w.command = c[1]
	}
	timeouts := w.timeouts
	if action == "Receive" && w.timeouts > 0 {
		w.timeouts--
	}
	w.mu.Unlock()
	rw.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	switch action {
	case "Create":
		fmt.Fprint(rw, envOpen+`<s:Body><x:ResourceCreated><a:ReferenceParameters><w:SelectorSet><w:Selector Name="ShellId">11111111-2222-3333-4444-555555555555</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated></s:Body></s:Envelope>`)
	case "Command":
		fmt.Fprint(rw, envOpen+`<s:Body><rsp:CommandResponse><rsp:CommandId>AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE</rsp:CommandId></rsp:CommandResponse></s:Body></s:Envelope>`)
	case "Receive":
		if w.hang != nil {
			if w.hanging != nil {
				w.hangOnce.Do(func() { close(w.hanging) })
			}
			select {
			case <-w.hang:
			case <-r.Context().Done():
			}
			return
		}
		if timeouts > 0 {
			rw.WriteHeader(500)
			fmt.Fprint(rw, timeoutFault)
			return
		}
		fmt.Fprintf(rw, envOpen+`<s:Body><rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="A">%s</rsp:Stream><rsp:Stream Name="stderr" CommandId="A">%s</rsp:Stream><rsp:CommandState CommandId="A" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`,
			base64.StdEncoding.EncodeToString([]byte(w.stdout)), base64.StdEncoding.EncodeToString([]byte(w.stderr)), w.exit)
	default: // Signal, Delete
		fmt.Fprint(rw, envOpen+`<s:Body></s:Body></s:Envelope>`)
	}
}

func (w *wsman) seen() ([]string, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.actions...), w.command
}

func decodeEncodedCommand(t *testing.T, cmdline string) string {
	t.Helper()
	const prefix = "powershell.exe -NoProfile -NonInteractive -EncodedCommand "
	if !strings.HasPrefix(cmdline, prefix) {
		t.Fatalf("command line %q", cmdline)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(cmdline, prefix))
	if err != nil || len(raw)%2 != 0 {
		t.Fatalf("base64: %v", err)
	}
	u := make([]uint16, len(raw)/2)
	for i := range u {
		u[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

func newTestRunner(t *testing.T, url string, mod func(*WinRMConfig)) *WinRMRunner {
	t.Helper()
	cfg := WinRMConfig{URL: url + "/wsman", User: `CONTOSO\lyncadmin`, Password: "s3cret!", Auth: AuthBasic, AllowUnencrypted: true, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	r, err := NewWinRMRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

// TestWinRMRunnerNeverFallsBackToBasic: against a server that offers only
// Basic, the NTLM runner fails without sending the password (go-ntlmssp's
// Negotiator alone retries with Basic).
func TestWinRMRunnerNeverFallsBackToBasic(t *testing.T) {
	w := &wsman{t: t, user: `CONTOSO\lyncadmin`, pass: "s3cret!", stdout: "ok"}
	var sawBasic atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			sawBasic.Store(true)
		}
		if r.Header.Get("Authorization") == "" {
			rw.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
		}
		w.ServeHTTP(rw, r)
	}))
	defer srv.Close()
	r := newTestRunner(t, srv.URL, func(c *WinRMConfig) { c.Auth = AuthNTLM })
	_, err := r.Run(context.Background(), "Get-Date")
	if !errors.Is(err, ErrNoNegotiate) {
		t.Errorf("NTLM runner against a Basic-only server: err %v, want ErrNoNegotiate", err)
	}
	if sawBasic.Load() {
		t.Error("the server received Basic credentials")
	}
}

func TestWinRMRunnerRunsScript(t *testing.T) {
	for _, auth := range []string{AuthBasic} {
		w := &wsman{t: t, user: `CONTOSO\lyncadmin`, pass: "s3cret!", stdout: `{"PoolState":0}` + "\r\n", stderr: clixmlWarningOnly, exit: 0, timeouts: 2}
		srv := httptest.NewServer(w)
		r := newTestRunner(t, srv.URL, func(c *WinRMConfig) { c.Auth = auth })
		script := prelude + "Get-CsPersistentChatState -Identity 'it''s \u2019' | ConvertTo-Json -Compress"
		out, err := r.Run(context.Background(), script)
		srv.Close()
		if err != nil {
			t.Fatalf("%s: %v", auth, err)
		}
		if out.Stdout != w.stdout || out.Stderr != w.stderr || out.ExitCode != 0 {
			t.Errorf("%s: output %+v", auth, out)
		}
		actions, cmdline := w.seen()
		if got := decodeEncodedCommand(t, cmdline); got != script {
			t.Errorf("%s: server ran %q, want %q", auth, got, script)
		}
		joined := strings.Join(actions, ",")
		if joined != "Create,Command,Receive,Receive,Receive,Signal,Delete" {
			t.Errorf("%s: actions %s", auth, joined)
		}
	}
}

func TestWinRMRunnerExitCode(t *testing.T) {
	w := &wsman{user: `CONTOSO\lyncadmin`, pass: "s3cret!", stderr: clixmlSetActiveFail, exit: 1}
	srv := httptest.NewServer(w)
	defer srv.Close()
	c := &Client{Runner: newTestRunner(t, srv.URL, nil)}
	_, err := c.SetActiveServers(context.Background(), "global", []string{"pc9.contoso.com"})
	var ce *CmdletError
	if !errors.As(err, &ce) || ce.ExitCode != 1 || ce.Command != "Set-CsPersistentChatActiveServer" {
		t.Errorf("err = %v", err)
	}
}

func TestWinRMRunnerHTTPErrors(t *testing.T) {
	cases := []struct {
		name      string
		w         *wsman
		status    int
		transient bool
	}{
		{"wrong password", &wsman{user: `CONTOSO\lyncadmin`, pass: "other"}, 401, false},
		{"unavailable", &wsman{status: 503}, 503, true},
		{"internal", &wsman{status: 500}, 500, true},
		{"forbidden", &wsman{status: 403}, 403, false},
	}
	for _, c := range cases {
		srv := httptest.NewServer(c.w)
		r := newTestRunner(t, srv.URL, nil)
		_, err := r.Run(context.Background(), "Get-Date")
		srv.Close()
		var he *HTTPStatusError
		if !errors.As(err, &he) || he.StatusCode != c.status {
			t.Errorf("%s: err %v, want status %d", c.name, err, c.status)
			continue
		}
		if IsTransient(err) != c.transient {
			t.Errorf("%s: transient = %v", c.name, !c.transient)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: password in error %q", c.name, err)
		}
	}
}

func TestWinRMRunnerConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := newTestRunner(t, "http://"+addr, nil)
	_, err = r.Run(context.Background(), "Get-Date")
	if err == nil || !IsTransient(err) {
		t.Errorf("refused: err %v transient %v", err, IsTransient(err))
	}
}

func TestWinRMRunnerCancel(t *testing.T) {
	w := &wsman{user: `CONTOSO\lyncadmin`, pass: "s3cret!", hang: make(chan struct{}), hanging: make(chan struct{})}
	srv := httptest.NewServer(w)
	defer srv.Close()
	defer close(w.hang)
	r := newTestRunner(t, srv.URL, nil)
	// Cancelled once the command runs (its output is awaited), not after
	// a fixed 100 ms: on a loaded machine (make test) that ran out while
	// the shell was being created, and the run rightly ended without a
	// shell to delete ("shell not deleted after cancel: [Create]").
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.hanging:
			cancel()
		case <-ctx.Done():
		}
	}()
	start := time.Now()
	_, err := r.Run(ctx, "Start-Sleep 100")
	if !errors.Is(err, context.Canceled) || IsTransient(err) {
		t.Errorf("err %v", err)
	}
	// Half of Start-Sleep's 100 s proves the cancel ended the command; a
	// tighter bound would measure the machine's load.
	if d := time.Since(start); d > 50*time.Second {
		t.Errorf("cancel took %v", d)
	}
	actions, _ := w.seen()
	if actions[len(actions)-1] != "Delete" {
		t.Errorf("shell not deleted after cancel: %v", actions)
	}
}

func TestWinRMRunnerTLS(t *testing.T) {
	w := &wsman{user: `CONTOSO\lyncadmin`, pass: "s3cret!", stdout: "ok"}
	srv := httptest.NewUnstartedServer(w)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	// Default: verify, and the test CA is unknown.
	r := newTestRunner(t, srv.URL, func(c *WinRMConfig) { c.AllowUnencrypted = false })
	_, err := r.Run(context.Background(), "Get-Date")
	if err == nil || IsTransient(err) {
		t.Errorf("unverified cert: err %v transient %v", err, IsTransient(err))
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	r = newTestRunner(t, srv.URL, func(c *WinRMConfig) { c.AllowUnencrypted = false; c.CACertPEM = caPEM })
	if out, err := r.Run(context.Background(), "Get-Date"); err != nil || out.Stdout != "ok" {
		t.Errorf("with CA: %+v %v", out, err)
	}
}

func TestWinRMConfig(t *testing.T) {
	good := WinRMConfig{URL: "https://lync01.contoso.com:5986/wsman", User: "u", Password: "pw-secret"}
	if _, err := NewWinRMRunner(good); err != nil {
		t.Errorf("good config: %v", err)
	}
	for _, s := range []string{good.String(), fmt.Sprintf("%v %+v %#v %s", good, good, good, good)} {
		if strings.Contains(s, "pw-secret") {
			t.Errorf("password printed: %s", s)
		}
	}
	bad := map[string]WinRMConfig{
		"http without opt-in": {URL: "http://h:5985/wsman", User: "u"},
		"ftp":                 {URL: "ftp://h/wsman", User: "u"},
		"no host":             {URL: "https:///wsman", User: "u"},
		"creds in url":        {URL: "https://u:p@h/wsman", User: "u"},
		"no user":             {URL: "https://h/wsman"},
		"auth":                {URL: "https://h/wsman", User: "u", Auth: "kerberos"},
		"port":                {URL: "https://h:99999/wsman", User: "u"},
		"ca":                  {URL: "https://h/wsman", User: "u", CACertPEM: []byte("not pem")},
	}
	for name, c := range bad {
		if _, err := NewWinRMRunner(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	long := strings.Repeat("x", 4000)
	r, _ := NewWinRMRunner(good)
	if _, err := r.Run(context.Background(), long); !errors.Is(err, ErrBadScript) {
		t.Errorf("long script: %v", err)
	}
}
