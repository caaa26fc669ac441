package securitytest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
)

// otherCA writes a CA certificate for 127.0.0.1 that did not sign the
// world's endpoint certificate.
func otherCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "not the endpoint's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "other-ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// WinRM over HTTPS verifies the endpoint's certificate: a topology naming
// another CA fails with a certificate error, the world's own CA works, and
// insecureSkipVerify works only because the topology says so. A plain
// http URL to a non-loopback host is refused before anything is sent.
func TestWinRMVerifiesCertificates(t *testing.T) {
	w := preFailback(t, nil)
	dir := t.TempDir()
	ca := otherCA(t, dir)
	tests := []struct {
		name    string
		edit    func(m *topology.Management)
		connect string // error from Connect ("" = connects)
		read    string // error reading the pool state ("" = reads it)
	}{
		{"the world's CA", func(m *topology.Management) {}, "", ""},
		{"another CA", func(m *topology.Management) { m.CAFile = ca }, "", "certificate"},
		{"no CA file: system roots only", func(m *topology.Management) { m.CAFile = "" }, "", "certificate"},
		{"insecureSkipVerify", func(m *topology.Management) { m.CAFile, m.InsecureSkipVerify = "", true }, "", ""},
		{"insecureSkipVerify with another CA", func(m *topology.Management) { m.CAFile, m.InsecureSkipVerify = ca, true }, "", ""},
		{"http to a non-loopback host", func(m *topology.Management) {
			m.URL, m.CAFile, m.InsecureSkipVerify = "http://lyncfe.contoso.test:5985/wsman", "", true
		}, "unencrypted", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			x := *w.Topology
			tt.edit(&x.Management)
			if err := x.Validate(); err != nil {
				t.Fatalf("topology: %v", err)
			}
			conn, err := failback.Connect(ctx, &x, failback.Options{})
			if tt.connect != "" {
				if err == nil {
					conn.Close()
					t.Fatalf("connected, want an error containing %q", tt.connect)
				}
				if !strings.Contains(err.Error(), tt.connect) {
					t.Fatalf("connect: %v, want %q", err, tt.connect)
				}
				return
			}
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			defer conn.Close()
			st, err := conn.Env.Pool.PoolState(ctx)
			if tt.read == "" {
				if err != nil || st == "" {
					t.Fatalf("pool state %q, %v", st, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("read the pool state (%s) through an unverified endpoint", st)
			}
			var ua x509.UnknownAuthorityError
			if !errors.As(err, &ua) && !strings.Contains(err.Error(), tt.read) {
				t.Fatalf("error %v, want a certificate error", err)
			}
		})
	}
}

// The CLI says so too: plan against an endpoint it cannot verify fails
// and names the certificate.
func TestCLIReportsCertificateError(t *testing.T) {
	w := preFailback(t, nil)
	dir := t.TempDir()
	x := *w.Topology
	x.Management.CAFile = otherCA(t, dir)
	p := filepath.Join(dir, "topology.yaml")
	if err := topology.WriteFile(p, &x); err != nil {
		t.Fatal(err)
	}
	r := runEngine(t, dir, "plan", "--topology", p)
	if r.code == 0 || !strings.Contains(r.stdout.String()+r.stderr.String(), "certificate") {
		t.Fatalf("plan with the wrong CA: %s", r)
	}
	t.Logf("plan with the wrong CA: exit %d", r.code)
}
