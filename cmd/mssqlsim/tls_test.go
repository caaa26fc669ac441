package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
