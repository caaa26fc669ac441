package mssql_test

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/ntlm"
)

// startDomainServer is an instance joined to CONTOSO with the Windows
// login CONTOSO\svc-pchat; CONTOSO\nobody is a domain account without a
// login.
func startDomainServer(t *testing.T) *mssql.Server {
	t.Helper()
	dom, err := ntlm.NewServer(ntlm.Config{ComputerName: "SQLPRI", Domain: "CONTOSO", DNSDomain: "contoso.test",
		Accounts: ntlm.NewMemoryAccounts(ntlm.NewAccount("CONTOSO", "svc-pchat", "Winter2026!"), ntlm.NewAccount("CONTOSO", "nobody", "Summer2026!"))})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mssql.Start(mssql.Config{
		Engine:  engine.Config{Name: "SQLPRI", SAPassword: testPassword, WindowsLogins: []string{`CONTOSO\svc-pchat`}},
		Windows: dom,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

func windowsDB(t *testing.T, srv *mssql.Server, user, pw, query string) *sql.DB {
	t.Helper()
	u := url.URL{Scheme: "sqlserver", User: url.UserPassword(user, pw), Host: srv.Addr(), RawQuery: query}
	db, err := sql.Open("sqlserver", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestWindowsLoginOverTLS: the production path. go-mssqldb logs in as
// CONTOSO\svc-pchat with NTLM over a fully encrypted connection that
// verifies the instance's certificate; the session is that Windows login.
func TestWindowsLoginOverTLS(t *testing.T) {
	srv := startDomainServer(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	db := windowsDB(t, srv, `CONTOSO\svc-pchat`, "Winter2026!", url.Values{"encrypt": {"true"}, "certificate": {ca}}.Encode())
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var who, typ string
	if err := db.QueryRowContext(ctx, "SELECT SUSER_SNAME()").Scan(&who); err != nil {
		t.Fatal(err)
	}
	if who != `CONTOSO\svc-pchat` {
		t.Errorf("SUSER_SNAME() = %q", who)
	}
	if err := db.QueryRowContext(ctx, `SELECT type_desc FROM sys.server_principals WHERE name = N'CONTOSO\svc-pchat'`).Scan(&typ); err != nil || typ != "WINDOWS_LOGIN" {
		t.Errorf("sys.server_principals: %q %v", typ, err)
	}
	var auth, enc string
	if err := db.QueryRowContext(ctx, "SELECT auth_scheme, encrypt_option FROM sys.dm_exec_connections WHERE session_id = @@SPID").Scan(&auth, &enc); err != nil || auth != "NTLM" || enc != "TRUE" {
		t.Errorf("sys.dm_exec_connections: auth_scheme %q encrypt_option %q (%v), want NTLM TRUE", auth, enc, err)
	}
}

// TestWindowsLoginRefusals: SQL Server's answers to a wrong password
// (18452, the logon failed in the domain), an account without a login
// (18456 naming it), a Windows name sent as a SQL login and an instance
// outside the domain.
func TestWindowsLoginRefusals(t *testing.T) {
	srv := startDomainServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, c := range []struct{ user, pw, want string }{
		{`CONTOSO\svc-pchat`, "wrong", "Login failed. The login is from an untrusted domain and cannot be used with Windows authentication."},
		{`CONTOSO\nobody`, "Summer2026!", `Login failed for user 'CONTOSO\nobody'.`},
		{`FABRIKAM\svc-pchat`, "Winter2026!", "untrusted domain"},
		{"sa", "wrong", "Login failed for user 'sa'."},
	} {
		err := windowsDB(t, srv, c.user, c.pw, "encrypt=disable").PingContext(ctx)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.user, err, c.want)
		}
	}
	if err := windowsDB(t, srv, "sa", testPassword, "encrypt=disable").PingContext(ctx); err != nil {
		t.Errorf("sa: %v", err)
	}
	plain := startServer(t, "")
	err := windowsDB(t, plain, `CONTOSO\svc-pchat`, "Winter2026!", "encrypt=disable").PingContext(ctx)
	if err == nil || !strings.Contains(err.Error(), "untrusted domain") {
		t.Errorf("instance outside the domain: got %v, want 18452", err)
	}
}
