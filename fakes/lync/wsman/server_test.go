package wsman

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

func echoExec(_ context.Context, cmd Command) Output {
	if strings.HasPrefix(cmd.CommandLine, "fail") {
		return Output{Stderr: []byte("failed\r\n"), ExitCode: 3}
	}
	return Output{Stdout: []byte("ran: " + cmd.CommandLine)}
}

func newTestServer(t *testing.T, exec Executor) (*httptest.Server, *Handler) {
	t.Helper()
	if exec == nil {
		exec = echoExec
	}
	// Basic over HTTPS, enabled: the protocol tests need no NTLM (its
	// tests are in auth_test.go).
	h := NewHandler(Config{Authenticate: Authenticator(map[string]string{"admin": "pw"}), AllowBasic: true, Exec: exec, MaxReceiveWait: 300 * time.Millisecond})
	srv := httptest.NewTLSServer(h)
	t.Cleanup(func() { h.Close(); srv.Close() })
	return srv, h
}

func post(t *testing.T, url, user, pass, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := insecureClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMasterzenClientRoundTrip(t *testing.T) {
	srv, h := newTestServer(t, nil)
	ep := &winrm.Endpoint{Host: "127.0.0.1", Port: portOf(t, srv.URL), HTTPS: true, Insecure: true, Timeout: 5 * time.Second}
	c, err := winrm.NewClient(ep, "admin", "pw")
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code, err := c.RunWithString("hostname", "")
	if err != nil || code != 0 || out != "ran: hostname" || errOut != "" {
		t.Fatalf("out %q err %q code %d: %v", out, errOut, code, err)
	}
	_, errOut, code, err = c.RunWithString("fail now", "some stdin")
	if err != nil || code != 3 || errOut != "failed\r\n" {
		t.Fatalf("err %q code %d: %v", errOut, code, err)
	}
	if n := h.Shells(); n != 0 {
		t.Errorf("%d shells left open; the client deletes them", n)
	}
	bad, _ := winrm.NewClient(ep, "admin", "wrong")
	if _, _, _, err := bad.RunWithString("hostname", ""); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong password: want a 401 error, got %v", err)
	}
}

func portOf(t *testing.T, url string) int {
	t.Helper()
	i := strings.LastIndexByte(url, ':')
	var p int
	for _, r := range url[i+1:] {
		p = p*10 + int(r-'0')
	}
	return p
}

func TestReceiveTimesOutWithOperationTimeoutFault(t *testing.T) {
	release := make(chan struct{})
	srv, _ := newTestServer(t, func(ctx context.Context, _ Command) Output {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return Output{Stdout: []byte("late")}
	})
	defer close(release)
	shell := mustCreate(t, srv.URL)
	cmdID := mustCommand(t, srv.URL, shell, "slow")
	code, body := post(t, srv.URL, "admin", "pw", string(winrm.NewGetOutputRequest(srv.URL, shell, cmdID, "stdout stderr", winrm.DefaultParameters).String()))
	if code != 500 || !strings.Contains(body, "w:TimedOut") || !strings.Contains(body, "OperationTimeout") {
		t.Fatalf("code %d body %s", code, body)
	}
}

func mustCreate(t *testing.T, url string) string {
	t.Helper()
	code, body := post(t, url, "admin", "pw", winrm.NewOpenShellRequest(url, winrm.DefaultParameters).String())
	id, err := winrm.ParseOpenShellResponse(body)
	if code != 200 || err != nil || id == "" {
		t.Fatalf("create: %d %v %s", code, err, body)
	}
	return id
}

func mustCommand(t *testing.T, url, shell, line string) string {
	t.Helper()
	code, body := post(t, url, "admin", "pw", winrm.NewExecuteCommandRequest(url, shell, line, nil, winrm.DefaultParameters).String())
	id, err := winrm.ParseExecuteCommandResponse(body)
	if code != 200 || err != nil || id == "" {
		t.Fatalf("command: %d %v %s", code, err, body)
	}
	return id
}

func TestSignalCancelsRunningCommand(t *testing.T) {
	cancelled := make(chan struct{})
	srv, _ := newTestServer(t, func(ctx context.Context, _ Command) Output {
		<-ctx.Done()
		close(cancelled)
		return Output{ExitCode: 1}
	})
	shell := mustCreate(t, srv.URL)
	cmdID := mustCommand(t, srv.URL, shell, "hang")
	code, body := post(t, srv.URL, "admin", "pw", winrm.NewSignalRequest(srv.URL, shell, cmdID, winrm.DefaultParameters).String())
	if code != 200 || !strings.Contains(body, "SignalResponse") {
		t.Fatalf("signal: %d %s", code, body)
	}
	select {
	case <-cancelled:
	case <-time.After(2 * time.Second):
		t.Fatal("command not cancelled by Signal")
	}
}

func TestRequestFaults(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	shellReq := winrm.NewOpenShellRequest(srv.URL, winrm.DefaultParameters).String()
	cases := []struct {
		name, user, body string
		code             int
		want             string
	}{
		{"no credentials", "", shellReq, 401, ""},
		{"malformed xml", "admin", "<env:Envelope", 500, "w:SchemaValidationError"},
		{"not an envelope", "admin", "<a/>", 500, "w:SchemaValidationError"},
		{"no action", "admin", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body/></s:Envelope>`, 500, "a:MessageInformationHeaderRequired"},
		{"unknown shell", "admin", winrm.NewDeleteShellRequest(srv.URL, "NOPE", winrm.DefaultParameters).String(), 500, "w:InvalidSelectors"},
		{"unknown command", "admin", winrm.NewGetOutputRequest(srv.URL, "NOPE", "X", "stdout", winrm.DefaultParameters).String(), 500, "w:InvalidSelectors"},
		{"unsupported action", "admin", strings.Replace(shellReq, "transfer/Create", "transfer/Get", 1), 500, "a:ActionNotSupported"},
		{"bad resource", "admin", strings.Replace(shellReq, "windows/shell/cmd", "windows/shell/other", 1), 500, "w:DestinationUnreachable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, srv.URL, tc.user, "pw", tc.body)
			if code != tc.code || !strings.Contains(body, tc.want) {
				t.Errorf("code %d body %s; want %d %q", code, body, tc.code, tc.want)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"PT60S", time.Minute, true}, {"PT1.5S", 1500 * time.Millisecond, true}, {"PT1H2M", 62 * time.Minute, true},
		{"60", 0, false}, {"PTS", 0, false}, {"PT5", 0, false}, {"PTxS", 0, false},
	}
	for _, tc := range cases {
		got, ok := parseDuration(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: %v %v", tc.in, got, ok)
		}
	}
}

// FuzzEnvelope throws arbitrary bodies at the SOAP handling: no panic, and
// every answer is a 200 response or a SOAP fault.
func FuzzEnvelope(f *testing.F) {
	p := winrm.DefaultParameters
	for _, s := range []string{
		winrm.NewOpenShellRequest("http://x/wsman", p).String(),
		winrm.NewExecuteCommandRequest("http://x/wsman", "S", "powershell.exe -EncodedCommand AA==", []string{"a"}, p).String(),
		winrm.NewGetOutputRequest("http://x/wsman", "S", "C", "stdout stderr", p).String(),
		winrm.NewSignalRequest("http://x/wsman", "S", "C", p).String(),
		winrm.NewDeleteShellRequest("http://x/wsman", "S", p).String(),
		winrm.NewSendInputRequest("http://x/wsman", "S", "C", []byte("in"), true, p).String(),
		"", "<", "<?xml version='1.0'?><x/>",
	} {
		f.Add(s)
	}
	h := NewHandler(Config{Authenticate: func(string, string) bool { return true }, AllowBasic: true, Exec: echoExec, MaxReceiveWait: 10 * time.Millisecond})
	defer h.Close()
	f.Fuzz(func(t *testing.T, body string) {
		if _, err := ParseEnvelope([]byte(body)); err != nil {
			if _, ok := err.(*Fault); !ok {
				t.Fatalf("ParseEnvelope error %T", err)
			}
		}
		req := httptest.NewRequest(http.MethodPost, "/wsman", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/soap+xml")
		req.SetBasicAuth("u", "p")
		req.TLS = &tls.ConnectionState{HandshakeComplete: true}
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() { defer close(done); h.ServeHTTP(rec, req) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("handler did not answer %q", body)
		}
		switch rec.Code {
		case 200:
		case 500:
			if !strings.Contains(rec.Body.String(), "<s:Fault>") {
				t.Fatalf("500 without a SOAP fault: %s", rec.Body.String())
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

// insecureClient talks to httptest's TLS server (its own test certificate).
var insecureClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // test server
