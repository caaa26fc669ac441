package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/tlscert"
)

func encryptedDSN(addr, caFile, encrypt string) string {
	q := url.Values{"encrypt": {encrypt}, "certificate": {caFile}}
	return (&url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", password), Host: addr, RawQuery: q.Encode()}).String()
}

func ping(dsn string) error {
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// TestTLSCertificateFromFile: the server presents the certificate given by
// --tls-cert/--tls-key, which a client verifies with encrypt=true and that
// certificate as its CA file.
func TestTLSCertificateFromFile(t *testing.T) {
	cert, err := tlscert.SelfSigned("PROCSQL")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := cert.Write(cf, kf); err != nil {
		t.Fatal(err)
	}
	p := startNamed(t, t.TempDir(), "PROCSQL", "--tls-cert", cf, "--tls-key", kf, "--force-encryption")
	if err := ping(encryptedDSN(p.addr, cf, "true")); err != nil {
		t.Errorf("encrypt=true with the server's certificate: %v", err)
	}
	q := url.Values{"encrypt": {"disable"}}
	if err := ping((&url.URL{Scheme: "sqlserver", User: url.UserPassword("sa", password), Host: p.addr, RawQuery: q.Encode()}).String()); err == nil {
		t.Error("encrypt=disable logged in to a server forcing encryption")
	}
	cmd := exec.Command(binary, "--data", t.TempDir(), "--tls-cert", cf)
	cmd.Env = []string{"MSSQLSIM_SA_PASSWORD=" + password}
	if out, err := cmd.CombinedOutput(); err == nil || !bytes.Contains(out, []byte("--tls-key")) {
		t.Errorf("--tls-cert alone: %v\n%s", err, out)
	}
}

// TestTLSGeneratedCertificateOut: without a certificate the server makes
// a self-signed one and --tls-cert-out hands it to clients.
func TestTLSGeneratedCertificateOut(t *testing.T) {
	out := filepath.Join(t.TempDir(), "presented.pem")
	p := startNamed(t, t.TempDir(), "PROCSQL", "--tls-cert-out", out)
	if b, err := os.ReadFile(out); err != nil || !bytes.Contains(b, []byte("BEGIN CERTIFICATE")) {
		t.Fatalf("--tls-cert-out wrote %q, %v", b, err)
	}
	if err := ping(encryptedDSN(p.addr, out, "true")); err != nil {
		t.Errorf("encrypt=true: %v", err)
	}
	if err := ping(encryptedDSN(p.addr, out, "false")); err != nil {
		t.Errorf("encrypt=false (login-only): %v", err)
	}
}

// TestFreeTDSVersions: tsql at TDS 7.1 and 7.2 (with the login-only
// encryption FreeTDS asks for by default) reads date/time and (MAX)
// values from the engine in the forms those versions know.
func TestFreeTDSVersions(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("FreeTDS tsql not installed (apt-get install freetds-bin); .ci/run installs it")
	}
	p := start(t, t.TempDir())
	host, port, _ := strings.Cut(p.addr, ":")
	for _, v := range []string{"7.1", "7.2"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, tsql, "-H", host, "-p", port, "-U", "sa", "-P", password, "-o", "q")
		cmd.Stdin = strings.NewReader("SELECT CAST('2024-01-02' AS date) AS d, CAST(N'grüß' AS nvarchar(max)) AS m, CAST(0x0102 AS varbinary(max)) AS b, 40 + 2 AS answer\ngo\nquit\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		cmd.Env = append(os.Environ(), "TDSVER="+v)
		err := cmd.Run()
		cancel()
		if out := stdout.String(); err != nil || !strings.Contains(out, "2024-01-02\tgrüß\t0102\t42") {
			t.Errorf("TDS %s: %v\nstdout:\n%s\nstderr:\n%s", v, err, out, stderr.String())
		}
	}
}

// TestWindowsLoginFlags: --domain, --domain-accounts-file and
// --windows-login join the process to a domain; go-mssqldb logs in as
// the Windows login over NTLM, a wrong password gets 18452.
func TestWindowsLoginFlags(t *testing.T) {
	accounts := filepath.Join(t.TempDir(), "accounts")
	if err := os.WriteFile(accounts, []byte("CONTOSO\\svc-pchat:Winter:2026!\n\nCONTOSO\\other:x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startNamed(t, t.TempDir(), "PROCSQL", "--domain", "CONTOSO", "--domain-accounts-file", accounts, "--windows-login", `CONTOSO\svc-pchat`)
	dsn := func(pw string) string {
		return (&url.URL{Scheme: "sqlserver", User: url.UserPassword(`CONTOSO\svc-pchat`, pw), Host: p.addr, RawQuery: "encrypt=disable"}).String()
	}
	if err := ping(dsn("Winter:2026!")); err != nil {
		t.Errorf("Windows login: %v", err)
	}
	if err := ping(dsn("wrong")); err == nil || !strings.Contains(err.Error(), "untrusted domain") {
		t.Errorf("wrong password: %v, want 18452", err)
	}
	cmd := exec.Command(binary, "--data", t.TempDir(), "--windows-login", `CONTOSO\x`)
	cmd.Env = []string{"MSSQLSIM_SA_PASSWORD=" + password}
	if out, err := cmd.CombinedOutput(); err == nil || !bytes.Contains(out, []byte("--domain")) {
		t.Errorf("--windows-login without --domain: %v\n%s", err, out)
	}
}
