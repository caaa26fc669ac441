package tds

import (
	"context"
	"database/sql"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/tlscert"
)

// TestNegotiateEncryption pins the server's half of MS-TDS 2.2.6.5's
// ENCRYPTION table.
func TestNegotiateEncryption(t *testing.T) {
	for _, tc := range []struct {
		client         byte
		sent, cert, fe bool
		answer         byte
		mode           EncryptionMode
		refuse         bool
	}{
		{EncryptOff, true, false, false, EncryptNotSup, EncryptionNone, false},
		{EncryptOn, true, false, false, EncryptNotSup, EncryptionNone, true},
		{EncryptReq, true, false, false, EncryptNotSup, EncryptionNone, true},
		{EncryptNotSup, true, false, false, EncryptNotSup, EncryptionNone, false},
		{EncryptOff, true, true, false, EncryptOff, EncryptionLogin, false},
		{EncryptOff, false, true, false, EncryptOff, EncryptionLogin, false},
		{EncryptOn, true, true, false, EncryptOn, EncryptionFull, false},
		{EncryptReq, true, true, false, EncryptOn, EncryptionFull, false},
		{EncryptNotSup, true, true, false, EncryptNotSup, EncryptionNone, false},
		{EncryptOff, true, true, true, EncryptReq, EncryptionFull, false},
		{EncryptNotSup, true, true, true, EncryptReq, EncryptionNone, true},
		{EncryptOn, true, true, true, EncryptOn, EncryptionFull, false},
	} {
		a, m, r := NegotiateEncryption(tc.client, tc.sent, tc.cert, tc.fe)
		if a != tc.answer || m != tc.mode || r != tc.refuse {
			t.Errorf("client %d sent=%t cert=%t force=%t: got answer %d mode %v refuse %t, want %d %v %t",
				tc.client, tc.sent, tc.cert, tc.fe, a, m, r, tc.answer, tc.mode, tc.refuse)
		}
	}
}

// tlsServer starts the fake handler with a generated certificate and
// returns its address and the CA file a client trusts.
func tlsServer(t *testing.T, force bool) (addr, caFile string, rec *recorder) {
	t.Helper()
	cert, err := tlscert.SelfSigned("SIMSRV")
	if err != nil {
		t.Fatal(err)
	}
	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := cert.Write(caFile, ""); err != nil {
		t.Fatal(err)
	}
	addr, rec = startServerWith(t, Options{ServerName: "SIMSRV", TLS: ServerTLSConfig(cert.TLS), ForceEncryption: force})
	return addr, caFile, rec
}

func pingSelect(t *testing.T, dsn string) error {
	t.Helper()
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var n int
	if err := db.QueryRowContext(ctx, "SELECT multi").Scan(&n); err != nil {
		return err
	}
	var long string
	if err := db.QueryRowContext(ctx, "SELECT alltypes").Scan(new(any), new(any), new(any), new(any), new(any), new(any), new(any),
		new(any), new(any), new(any), &long, new(any), new(any), new(any), new(any), new(any), new(any), new(any), new(any)); err != nil {
		return err
	}
	if long != longText {
		t.Errorf("long text came back %d characters", len(long))
	}
	return nil
}

// TestGoMSSQLDBEncryption connects go-mssqldb with each encrypt setting:
// encrypt=true verifies the certificate against the CA file and encrypts
// everything (a multi-packet result crosses TLS records); encrypt=false is
// SQL Server's default login-only encryption (go-mssqldb verifies the
// certificate there too); disable stays clear text.
// An untrusted certificate fails the handshake as a real server's would.
func TestGoMSSQLDBEncryption(t *testing.T) {
	addr, caFile, rec := tlsServer(t, false)
	base := "sqlserver://sa:pw@" + addr + "?database=master&"
	for _, q := range []string{
		"encrypt=true&certificate=" + caFile,
		"encrypt=true&TrustServerCertificate=true",
		"encrypt=false&certificate=" + caFile,
		"encrypt=disable",
	} {
		if err := pingSelect(t, base+q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if err := pingSelect(t, base+"encrypt=true"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("encrypt=true without the CA: got %v, want a certificate verification failure", err)
	}
	if err := pingSelect(t, base+"encrypt=true&certificate="+caFile+"&hostNameInCertificate=other.contoso.test"); err == nil {
		t.Error("encrypt=true with a host name the certificate lacks succeeded")
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var modes []EncryptionMode
	for _, l := range rec.logins {
		modes = append(modes, l.Encryption)
	}
	if want := []EncryptionMode{EncryptionFull, EncryptionFull, EncryptionLogin, EncryptionNone}; !slices.Equal(modes, want) {
		t.Errorf("logins were encrypted %v, want %v", modes, want)
	}
}

// TestForceEncryption: a server forcing encryption encrypts a client that
// asked for none (ENCRYPT_OFF) in full and turns away one that cannot
// encrypt (ENCRYPT_NOT_SUP) before any login.
func TestForceEncryption(t *testing.T) {
	addr, _, rec := tlsServer(t, true)
	base := "sqlserver://sa:pw@" + addr + "?database=master&"
	if err := pingSelect(t, base+"encrypt=false&TrustServerCertificate=true"); err != nil {
		t.Errorf("encrypt=false: %v", err)
	}
	if err := pingSelect(t, base+"encrypt=disable"); err == nil {
		t.Error("encrypt=disable logged in to a server forcing encryption")
	}
	if n, _ := rec.count(); n != 1 {
		t.Errorf("%d logins reached the handler, want 1", n)
	}
}

// TestNoCertificateRefusesEncryptOn: without a certificate, a client that
// requires encryption is told NOT_SUP and gives up.
func TestNoCertificateRefusesEncryptOn(t *testing.T) {
	addr, _ := startServer(t)
	err := pingSelect(t, "sqlserver://sa:pw@"+addr+"?encrypt=true&TrustServerCertificate=true")
	if err == nil || !strings.Contains(err.Error(), "not support encryption") {
		t.Errorf("got %v, want go-mssqldb's 'server does not support encryption'", err)
	}
}

// TestFreeTDSEncryption runs FreeTDS tsql (GnuTLS) with encryption =
// require (full TLS, certificate checked against the CA file) and with
// the default "request" (login-only); skipped where tsql is absent.
func TestFreeTDSEncryption(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("tsql (freetds-bin) not installed")
	}
	addr, caFile, rec := tlsServer(t, false)
	host, port, _ := net.SplitHostPort(addr)
	for _, enc := range []string{"require", "request"} {
		conf := filepath.Join(t.TempDir(), "freetds.conf")
		body := "[sim]\n\thost = " + host + "\n\tport = " + port + "\n\ttds version = 7.4\n\tencryption = " + enc +
			"\n\tca file = " + caFile + "\n\tcheck certificate hostname = yes\n"
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, tsql, "-S", "sim", "-U", "sa", "-P", "pw", "-o", "q")
		cmd.Env = append(cmd.Environ(), "FREETDSCONF="+conf)
		cmd.Stdin = strings.NewReader("SELECT multi\ngo\nSELECT alltypes\ngo\nexit\n")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Logf("tsql (%s): %v", enc, err)
		}
		cancel()
		if out := stdout.String(); !strings.Contains(out, "2\n") || !strings.Contains(out, "1234567890123456789012345") {
			t.Errorf("encryption = %s: stdout lacks the results:\n%s\nstderr:\n%s", enc, out, stderr.String())
		}
	}
	rec.mu.Lock()
	var modes []EncryptionMode
	for _, l := range rec.logins {
		modes = append(modes, l.Encryption)
	}
	rec.mu.Unlock()
	if want := []EncryptionMode{EncryptionFull, EncryptionLogin}; !slices.Equal(modes, want) {
		t.Errorf("logins were encrypted %v, want %v", modes, want)
	}
	// A CA that did not sign the server's certificate: no login.
	other, err := tlscert.SelfSigned("other")
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Write(caFile, ""); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "freetds.conf")
	os.WriteFile(conf, []byte("[sim]\n\thost = "+host+"\n\tport = "+port+"\n\ttds version = 7.4\n\tencryption = require\n\tca file = "+caFile+"\n"), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tsql, "-S", "sim", "-U", "sa", "-P", "pw", "-o", "q")
	cmd.Env = append(cmd.Environ(), "FREETDSCONF="+conf)
	cmd.Stdin = strings.NewReader("SELECT multi\ngo\nexit\n")
	out, _ := cmd.CombinedOutput()
	if n, _ := rec.count(); n != 2 {
		t.Errorf("tsql logged in with an untrusted certificate:\n%s", out)
	}
}

// TestTLSRefusesNonPreloginHandshake: a handshake record in any message
// but PRELOGIN is a protocol violation, not a silent success.
func TestTLSRefusesNonPreloginHandshake(t *testing.T) {
	cert, err := tlscert.SelfSigned("x")
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	defer a.Close()
	errc := make(chan error, 1)
	go func() {
		errc <- Serve(context.Background(), b, func() Handler { return &fakeHandler{rec: &recorder{}} },
			Options{TLS: ServerTLSConfig(cert.TLS), LoginTimeout: 10 * time.Second})
	}()
	pre := appendPreloginRequest(EncryptOn)
	pw := NewPacketWriter(a, MinPacketSize, 0)
	pw.BeginMessage(PacketPrelogin)
	pw.Write(pre)
	pw.EndMessage()
	mr := NewMessageReader(a, MaxPacketSize, 0)
	if _, err := mr.ReadMessage(nil); err != nil {
		t.Fatal(err)
	}
	pw.BeginMessage(PacketSQLBatch)
	pw.Write([]byte{0x16, 0x03, 0x01, 0x00, 0x01, 0x01})
	go pw.EndMessage()
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "PRELOGIN") {
		t.Errorf("Serve returned %v, want a protocol error naming PRELOGIN", err)
	}
}

// appendPreloginRequest is a client PRELOGIN with VERSION and ENCRYPTION.
func appendPreloginRequest(enc byte) []byte {
	return []byte{
		PreloginVersion, 0, 11, 0, 6,
		PreloginEncryption, 0, 17, 0, 1,
		PreloginTerminator,
		1, 0, 0, 0, 0, 0,
		enc,
	}
}
