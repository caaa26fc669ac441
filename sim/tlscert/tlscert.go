// Package tlscert makes and loads the TLS certificates the simulated
// servers present: the fake Lync endpoint's WinRM over HTTPS and the SQL
// Server simulator's TDS encryption. A real SQL Server generates a
// self-signed certificate at start-up when none is configured; the
// simulator does the same through SelfSigned, and a client then trusts
// it by its PEM alone (go-mssqldb's certificate=, winrm's CACert, a
// topology's caFile).
package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// Certificate is a server certificate with its PEM forms.
type Certificate struct {
	TLS     tls.Certificate
	CertPEM []byte // what a client trusts
	KeyPEM  []byte // PKCS#8; keep it to present the same certificate after a restart
}

// SelfSigned makes a self-signed CA certificate valid for 127.0.0.1,
// localhost and names, valid from an hour ago for a week. It is its own
// CA, so a client that trusts its PEM verifies it with the full chain and
// host name checks, as it would a production certificate.
func SelfSigned(cn string, names ...string) (Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              append([]string{"localhost"}, names...),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: key: %w", err)
	}
	return Certificate{
		TLS:     tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: mustParse(der)},
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}),
	}, nil
}

func mustParse(der []byte) *x509.Certificate {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil // x509.CreateCertificate just made it; tls parses it again when Leaf is nil
	}
	return c
}

// Load reads a PEM certificate (chain) and its PEM key from files, as a
// DBA configures SQL Server's certificate. The error names the file.
func Load(certFile, keyFile string) (Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: certificate file: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: key file: %w", err)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return Certificate{}, fmt.Errorf("tlscert: %s and %s: %w (want a PEM certificate and its PEM private key)", certFile, keyFile, err)
	}
	return Certificate{TLS: c, CertPEM: certPEM, KeyPEM: keyPEM}, nil
}

// Write saves the certificate's PEM to certFile (mode 0644: it is public)
// and, when keyFile is not empty, its key to keyFile (mode 0600).
func (c Certificate) Write(certFile, keyFile string) error {
	if err := os.WriteFile(certFile, c.CertPEM, 0o644); err != nil {
		return fmt.Errorf("tlscert: %w", err)
	}
	if keyFile != "" {
		if err := os.WriteFile(keyFile, c.KeyPEM, 0o600); err != nil {
			return fmt.Errorf("tlscert: %w", err)
		}
	}
	return nil
}
