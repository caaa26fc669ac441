package tds

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/ntlm"
	"github.com/pchatdr/harness/sim/tlscert"
)

// ntlmAuth adapts an NTLM handshake to Authenticator (sim/mssql has the
// production one; tds may not import it).
type ntlmAuth struct{ h *ntlm.Handshake }

func (a ntlmAuth) Step(tok []byte) ([]byte, error) { return a.h.Step(tok) }
func (a ntlmAuth) Done() bool                      { return a.h.Done() }
func (a ntlmAuth) Account() string                 { return a.h.Result().Account.String() }

type sspiHandler struct {
	*fakeHandler
	srv *ntlm.Server
}

func (h sspiHandler) StartSSPI(ctx context.Context, l *Login7) (Authenticator, error) {
	return ntlmAuth{h.srv.NewHandshake()}, nil
}

func (h sspiHandler) Login(ctx context.Context, l *Login7) (LoginReply, error) {
	if l.SSPIUser == "" {
		return h.fakeHandler.Login(ctx, l)
	}
	h.rec.mu.Lock()
	h.rec.logins = append(h.rec.logins, l)
	h.rec.mu.Unlock()
	if l.SSPIUser != `CONTOSO\svc-pchat` {
		return LoginReply{}, LoginFailed(l.SSPIUser)
	}
	return LoginReply{Database: l.Database, SPID: 54}, nil
}

// startSSPIServer serves a handler that knows the CONTOSO domain's
// svc-pchat (a SQL login) and nobody (a domain account with no login).
func startSSPIServer(t *testing.T, sspi bool, opts Options) (string, *recorder) {
	t.Helper()
	srv, err := ntlm.NewServer(ntlm.Config{ComputerName: "SQLPRI", Domain: "CONTOSO", DNSDomain: "contoso.test",
		Accounts: ntlm.NewMemoryAccounts(ntlm.NewAccount("CONTOSO", "svc-pchat", "Winter2026!"), ntlm.NewAccount("CONTOSO", "nobody", "pw"))})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go Serve(ctx, conn, func() Handler {
				if !sspi {
					return &fakeHandler{rec: rec}
				}
				return sspiHandler{&fakeHandler{rec: rec}, srv}
			}, opts)
		}
	}()
	t.Cleanup(func() { cancel(); ln.Close(); <-done })
	return ln.Addr().String(), rec
}

func windowsDSN(addr, user, pw, query string) string {
	return (&url.URL{Scheme: "sqlserver", User: url.UserPassword(user, pw), Host: addr, RawQuery: query}).String()
}

func loginErr(dsn string) error {
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var n int
	return db.QueryRowContext(ctx, "SELECT multi").Scan(&n)
}

// TestGoMSSQLDBWindowsAuth: go-mssqldb's integrated authentication on
// Linux (NTLM, chosen by a DOMAIN\user name) logs in through LOGIN7's
// SSPI data and an SSPI message, in clear text and over TLS; a wrong
// password gets 18452, a domain account without a login 18456.
func TestGoMSSQLDBWindowsAuth(t *testing.T) {
	cert, err := tlscert.SelfSigned("SQLPRI")
	if err != nil {
		t.Fatal(err)
	}
	addr, rec := startSSPIServer(t, true, Options{ServerName: "SQLPRI", TLS: ServerTLSConfig(cert.TLS)})
	for _, q := range []string{"encrypt=disable", "encrypt=true&TrustServerCertificate=true", "encrypt=false&TrustServerCertificate=true"} {
		if err := loginErr(windowsDSN(addr, `CONTOSO\svc-pchat`, "Winter2026!", q)); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if err := loginErr(windowsDSN(addr, `contoso\SVC-PCHAT`, "Winter2026!", "encrypt=disable")); err != nil {
		t.Errorf("names differing in case: %v", err)
	}
	err = loginErr(windowsDSN(addr, `CONTOSO\svc-pchat`, "wrong", "encrypt=disable"))
	if err == nil || !strings.Contains(err.Error(), "untrusted domain") {
		t.Errorf("wrong password: got %v, want 18452", err)
	}
	err = loginErr(windowsDSN(addr, `CONTOSO\nobody`, "pw", "encrypt=disable"))
	if err == nil || !strings.Contains(err.Error(), `Login failed for user 'CONTOSO\nobody'.`) {
		t.Errorf("account without a login: got %v, want 18456", err)
	}
	if err := loginErr(windowsDSN(addr, "sa", "pw", "encrypt=disable")); err != nil {
		t.Errorf("sa beside Windows logins: %v", err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.logins) < 5 || rec.logins[0].SSPIUser != `CONTOSO\svc-pchat` || rec.logins[3].SSPIUser != `CONTOSO\svc-pchat` {
		t.Errorf("logins: %v", rec.logins)
	}
}

// TestWindowsAuthWithoutSSPIHandler: a server whose handler takes no
// Windows logins refuses one with 18452.
func TestWindowsAuthWithoutSSPIHandler(t *testing.T) {
	addr, _ := startSSPIServer(t, false, Options{ServerName: "SQLPRI"})
	err := loginErr(windowsDSN(addr, `CONTOSO\svc-pchat`, "Winter2026!", "encrypt=disable"))
	if err == nil || !strings.Contains(err.Error(), "untrusted domain") {
		t.Errorf("got %v, want 18452", err)
	}
}

// TestFreeTDSWindowsAuth: FreeTDS's own NTLM (tsql -U 'DOMAIN\user')
// logs in; a wrong password gets 18452. Skipped without tsql.
func TestFreeTDSWindowsAuth(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("tsql (freetds-bin) not installed")
	}
	addr, rec := startSSPIServer(t, true, Options{ServerName: "SQLPRI"})
	host, port, _ := net.SplitHostPort(addr)
	run := func(pw string) (string, string) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, tsql, "-H", host, "-p", port, "-U", `CONTOSO\svc-pchat`, "-P", pw, "-o", "q")
		cmd.Env = append(cmd.Environ(), "TDSVER=7.4")
		cmd.Stdin = strings.NewReader("SELECT multi\ngo\nexit\n")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		return stdout.String(), stderr.String()
	}
	if out, errOut := run("Winter2026!"); !strings.Contains(out, "2\n") {
		t.Errorf("tsql as CONTOSO\\svc-pchat: stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if out, errOut := run("wrong"); !strings.Contains(out+errOut, "18452") {
		t.Errorf("tsql with a wrong password: want 18452:\nstdout:\n%s\nstderr:\n%s", out, errOut)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.logins) != 1 || rec.logins[0].SSPIUser != `CONTOSO\svc-pchat` {
		t.Errorf("logins: %v", rec.logins)
	}
}
