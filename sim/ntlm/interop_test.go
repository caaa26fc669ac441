package ntlm

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

// This file drives the server with clients over the transports they are
// made for: an HTTP endpoint answering "Negotiate" as Windows (WinRM,
// IIS) does, and Python's ntlm_auth (what pywinrm uses) for the NTLM
// messages and session security.

type connStateKey struct{}

// connState is the authentication of one TCP connection: NTLM
// authenticates connections, not requests.
type connState struct {
	mu  sync.Mutex
	h   *Handshake
	res *Result
}

// negotiateHandler is the shape of an HTTP Negotiate/NTLM acceptor: one
// handshake per connection, 401 with the server's token until it is done.
func negotiateHandler(srv *Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs := r.Context().Value(connStateKey{}).(*connState)
		cs.mu.Lock()
		defer cs.mu.Unlock()
		scheme, data, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if cs.res != nil && scheme == "" {
			fmt.Fprintf(w, "hello %s", cs.res.Account)
			return
		}
		challenge := func(token []byte) {
			if token == nil {
				w.Header().Add("WWW-Authenticate", "Negotiate")
				w.Header().Add("WWW-Authenticate", "NTLM")
			} else {
				w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(token))
			}
			w.WriteHeader(http.StatusUnauthorized)
		}
		if scheme != "Negotiate" && scheme != "NTLM" {
			challenge(nil)
			return
		}
		token, err := base64.StdEncoding.DecodeString(data)
		if err != nil {
			challenge(nil)
			return
		}
		if cs.h == nil || cs.h.Done() {
			cs.h, cs.res = srv.NewHandshake(), nil
		}
		out, err := cs.h.Step(token)
		if err != nil {
			cs.h = nil
			w.Header().Set("X-Logon-Error", err.Error())
			challenge(nil)
			return
		}
		if !cs.h.Done() {
			challenge(out)
			return
		}
		cs.res = cs.h.Result()
		if out != nil {
			w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(out))
		}
		fmt.Fprintf(w, "hello %s", cs.res.Account)
	})
}

func startNegotiateServer(t *testing.T, srv *Server) *httptest.Server {
	t.Helper()
	hs := httptest.NewUnstartedServer(negotiateHandler(srv))
	hs.Config.ConnContext = func(ctx context.Context, _ net.Conn) context.Context {
		return context.WithValue(ctx, connStateKey{}, &connState{})
	}
	hs.Start()
	t.Cleanup(hs.Close)
	return hs
}

// TestHTTPNegotiateGoNTLMSSP: go-ntlmssp's Negotiator, the round tripper
// the engine's WinRM client (failback/lync) uses.
func TestHTTPNegotiateGoNTLMSSP(t *testing.T) {
	f := newFixture(t)
	hs := startNegotiateServer(t, f.srv)
	for _, tc := range []struct{ user, password, want string }{
		{`CONTOSO\sqlsvc`, sqlsvcPassword, "200 hello CONTOSO\\sqlsvc"},
		{`CONTOSO\sqlsvc`, "wrong", "401 "},
	} {
		// A new connection each time: NTLM authenticates connections, and
		// the Negotiator first tries without credentials in case the
		// connection already is.
		client := &http.Client{Transport: ntlmssp.Negotiator{RoundTripper: &http.Transport{}}, Timeout: time.Minute}
		req, _ := http.NewRequest(http.MethodPost, hs.URL+"/wsman", strings.NewReader("<s:Envelope/>"))
		req.SetBasicAuth(tc.user, tc.password)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := fmt.Sprintf("%d %s", resp.StatusCode, body); got != tc.want {
			t.Errorf("%s: %q (%s), want %q", tc.user, got, resp.Header.Get("X-Logon-Error"), tc.want)
		}
	}
}

// python3 is Debian's interpreter, where python3-winrm's dependencies
// (ntlm_auth, requests_ntlm) are installed; pyenv's python3 on PATH lacks
// them.
const python3 = "/usr/bin/python3"

// opensslLegacy activates OpenSSL 3's legacy provider next to the default
// one: Python's hashlib takes MD4, which NTLM needs, from it. Without it
// ntlm_auth fails with "unsupported hash type md4" on Debian 12.
const opensslLegacy = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`

// needPython skips the test unless Debian's python3 imports the modules
// and has MD4, and returns the environment to run it with.
func needPython(t *testing.T, modules ...string) []string {
	t.Helper()
	if _, err := os.Stat(python3); err != nil {
		t.Skipf("%s not installed: %v", python3, err)
	}
	for _, m := range modules {
		if out, err := exec.Command(python3, "-c", "import "+m).CombinedOutput(); err != nil {
			t.Skipf("python module %s not importable by %s (install python3-winrm): %s", m, python3, strings.TrimSpace(string(out)))
		}
	}
	env := os.Environ()
	md4 := func() ([]byte, error) {
		cmd := exec.Command(python3, "-c", "import hashlib; hashlib.new('md4', b'')")
		cmd.Env = env
		return cmd.CombinedOutput()
	}
	if _, err := md4(); err != nil {
		conf := filepath.Join(t.TempDir(), "openssl-legacy.cnf")
		if err := os.WriteFile(conf, []byte(opensslLegacy), 0o644); err != nil {
			t.Fatal(err)
		}
		env = append(env, "OPENSSL_CONF="+conf)
		if out, err := md4(); err != nil {
			t.Skipf("%s has no MD4 even with OpenSSL's legacy provider (NTLM needs it): %s", python3, strings.TrimSpace(string(out)))
		}
	}
	return env
}

// TestPythonNTLMAuth: ntlm_auth's NtlmContext, as pywinrm's NTLM transport
// uses it: NTLMv2 with MIC, key exchange, signing and sealing; then
// messages sealed in both directions.
func TestPythonNTLMAuth(t *testing.T) {
	env := needPython(t, "ntlm_auth")
	const script = `
import base64, sys
from ntlm_auth.ntlm import NtlmContext
user, domain, password = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = NtlmContext(user, password, domain=domain, workstation="PYCLIENT", ntlm_compatibility=3)
def send(b): print(base64.b64encode(b).decode(), flush=True)
def recv(): return base64.b64decode(sys.stdin.readline())
send(ctx.step())
send(ctx.step(recv()))
if sys.stdin.readline().strip() != "ok":
    sys.exit(0)
send(ctx.wrap(b"request sealed by python"))
print(ctx.unwrap(recv()).decode(), flush=True)
send(ctx.wrap(b"second request"))
`
	for _, tc := range []struct {
		name, user, domain, password string
		want                         error
	}{
		{"domain user", "sqlsvc", "CONTOSO", sqlsvcPassword, nil},
		{"UPN", "sqlsvc@contoso.com", "", sqlsvcPassword, nil},
		{"wrong password", "sqlsvc", "CONTOSO", "nope", ErrLogonFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, python3, "-c", script, tc.user, tc.domain, tc.password)
			cmd.Env = env
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				stdin.Close()
				if err := cmd.Wait(); err != nil {
					t.Errorf("python: %v\n%s", err, stderr.String())
				}
			}()
			lines := bufio.NewScanner(stdout)
			lines.Buffer(nil, 1<<20)
			recv := func() []byte {
				if !lines.Scan() {
					t.Fatalf("python stopped: %v\n%s", lines.Err(), stderr.String())
				}
				b, err := base64.StdEncoding.DecodeString(lines.Text())
				if err != nil {
					t.Fatalf("python sent %q: %v", lines.Text(), err)
				}
				return b
			}
			send := func(b []byte) { fmt.Fprintln(stdin, base64.StdEncoding.EncodeToString(b)) }

			h := f.srv.NewHandshake()
			challenge, err := h.Step(recv())
			if err != nil {
				t.Fatal(err)
			}
			send(challenge)
			_, err = h.Step(recv())
			if tc.want != nil {
				fmt.Fprintln(stdin, "stop")
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil {
				fmt.Fprintln(stdin, "stop")
				t.Fatalf("logon failed: %v", err)
			}
			fmt.Fprintln(stdin, "ok")
			res := h.Result()
			if res.Account.String() != `CONTOSO\sqlsvc` || !res.MIC || res.Workstation != "PYCLIENT" {
				t.Errorf("result %s from %s, MIC %v; want CONTOSO\\sqlsvc from PYCLIENT with a verified MIC", res.Account, res.Workstation, res.MIC)
			}
			if want := FlagKeyExchange | FlagSeal | FlagSign | Flag128; !res.Flags.Has(want) {
				t.Errorf("negotiated %s, want %s", res.Flags, want)
			}
			got, err := res.Session.Unwrap(recv())
			if err != nil || string(got) != "request sealed by python" {
				t.Fatalf("Unwrap(python's message) = %q, %v", got, err)
			}
			reply, _ := res.Session.Wrap([]byte("response sealed by Go"))
			send(reply)
			if !lines.Scan() || lines.Text() != "response sealed by Go" {
				t.Fatalf("python unwrapped %q (%v)\n%s", lines.Text(), lines.Err(), stderr.String())
			}
			if got, err := res.Session.Unwrap(recv()); err != nil || string(got) != "second request" {
				t.Fatalf("Unwrap(python's second message) = %q, %v", got, err)
			}
		})
	}
}

// TestPythonRequestsNTLM: requests_ntlm (pywinrm's HTTP transport for
// NTLM) against the HTTP acceptor.
func TestPythonRequestsNTLM(t *testing.T) {
	env := needPython(t, "requests", "requests_ntlm")
	hs := startNegotiateServer(t, newFixture(t).srv)
	const script = `
import sys, requests
from requests_ntlm import HttpNtlmAuth
r = requests.post(sys.argv[1], data="<s:Envelope/>", auth=HttpNtlmAuth(sys.argv[2], sys.argv[3]), timeout=60)
print(r.status_code, r.text)
`
	for _, tc := range []struct{ user, password, want string }{
		{`CONTOSO\sqlsvc`, sqlsvcPassword, `200 hello CONTOSO\sqlsvc`},
		{`contoso.com\SQLSVC`, sqlsvcPassword, `200 hello CONTOSO\sqlsvc`},
		{`CONTOSO\sqlsvc`, "wrong", "401 "},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, python3, "-c", script, hs.URL+"/wsman", tc.user, tc.password)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		if got := strings.TrimSpace(string(out)); got != strings.TrimSpace(tc.want) {
			t.Errorf("%s: %q, want %q", tc.user, got, tc.want)
		}
	}
}
