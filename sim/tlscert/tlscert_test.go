package tlscert

import (
	"crypto/x509"
	"path/filepath"
	"testing"
)

// TestSelfSignedVerifies checks the certificate verifies as its own root
// for 127.0.0.1 and the extra names, which is how every client trusts it.
func TestSelfSignedVerifies(t *testing.T) {
	c, err := SelfSigned("sqlpri", "sqlpri.contoso.test")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(c.CertPEM) {
		t.Fatal("CertPEM holds no certificate")
	}
	leaf, err := x509.ParseCertificate(c.TLS.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost", "sqlpri.contoso.test"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: name}); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "other.contoso.test"}); err == nil {
		t.Error("verified for a name it does not carry")
	}
}

// TestWriteLoadRoundTrip checks a certificate written to files loads back
// as the same certificate (a restarted server presents it again).
func TestWriteLoadRoundTrip(t *testing.T) {
	c, err := SelfSigned("sim")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cf, kf := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if err := c.Write(cf, kf); err != nil {
		t.Fatal(err)
	}
	got, err := Load(cf, kf)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.TLS.Certificate[0]) != string(c.TLS.Certificate[0]) {
		t.Error("loaded certificate differs from the one written")
	}
	if _, err := Load(cf, filepath.Join(dir, "missing.pem")); err == nil {
		t.Error("Load with a missing key file succeeded")
	}
	if _, err := Load(kf, cf); err == nil {
		t.Error("Load with swapped files succeeded")
	}
}
