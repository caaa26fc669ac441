package lync

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
	engine "github.com/pchatdr/harness/failback/lync"
)

// basicClient is masterzen/winrm's default client: HTTP Basic.
func basicClient(t *testing.T, s *Server, password string) *winrm.Client {
	t.Helper()
	host, port, https := s.Endpoint()
	c, err := winrm.NewClient(winrm.NewEndpoint(host, port, https, false, s.CertificatePEM(), nil, nil, 10*time.Second), testUser, password)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// challengeOf is the WWW-Authenticate list an anonymous POST gets.
func challengeOf(t *testing.T, s *Server) []string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertificatePEM())
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := hc.Post(s.URL+"/wsman", "application/soap+xml;charset=UTF-8", strings.NewReader("<x/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous POST: %d, want 401", resp.StatusCode)
	}
	return resp.Header.Values("WWW-Authenticate")
}

// TestWinRMAuthentication: WinRM as Windows serves it. Negotiate (NTLMv2
// checked against the account's password) is on; Basic is off unless
// configured and then only over HTTPS; plain HTTP is refused unless
// AllowUnencrypted.
func TestWinRMAuthentication(t *testing.T) {
	const script = `Get-CsPool -Identity pchat.contoso.test | Select-Object -ExpandProperty Fqdn`
	t.Run("defaults: NTLM over HTTPS", func(t *testing.T) {
		s := startServer(t, func(o *Options) { o.TLS, o.AllowUnencrypted = true, false })
		if got := challengeOf(t, s); strings.Join(got, ",") != "Negotiate" {
			t.Errorf("challenge %q, want only Negotiate (Basic is off)", got)
		}
		out, errOut, code := runPS(t, client(t, s, testPass), script)
		if code != 0 || strings.TrimSpace(out) != poolFQDN {
			t.Fatalf("NTLM: exit %d out %q err %q", code, out, errOut)
		}
		if _, _, _, err := client(t, s, "wrong-password").RunPSWithString(script, ""); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("NTLM with a wrong password: %v, want 401", err)
		}
		if _, _, _, err := basicClient(t, s, testPass).RunPSWithString(script, ""); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("Basic when it is off: %v, want 401", err)
		}
	})
	t.Run("the engine's NTLM runner", func(t *testing.T) {
		s := startServer(t, func(o *Options) { o.TLS, o.AllowUnencrypted = true, false })
		r, err := engine.NewWinRMRunner(engine.WinRMConfig{URL: s.URL + "/wsman", User: testUser, Password: testPass, CACertPEM: s.CertificatePEM()})
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Run(t.Context(), script)
		if err != nil || strings.TrimSpace(out.Stdout) != poolFQDN {
			t.Fatalf("engine over NTLM: %+v %v", out, err)
		}
		r, _ = engine.NewWinRMRunner(engine.WinRMConfig{URL: s.URL + "/wsman", User: testUser, Password: "wrong", CACertPEM: s.CertificatePEM()})
		var he *engine.HTTPStatusError
		if _, err := r.Run(t.Context(), script); !errors.As(err, &he) || he.StatusCode != http.StatusUnauthorized {
			t.Errorf("engine over NTLM, wrong password: %v, want 401", err)
		}
	})
	t.Run("defaults refuse plain HTTP", func(t *testing.T) {
		s := startServer(t, func(o *Options) { o.AllowUnencrypted = false })
		// The engine's client (masterzen/winrm's own drops HTTP errors).
		r, err := engine.NewWinRMRunner(engine.WinRMConfig{URL: s.URL + "/wsman", User: testUser, Password: testPass, AllowUnencrypted: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Run(t.Context(), script)
		if err == nil || !strings.Contains(err.Error(), "unencrypted traffic is disabled") {
			t.Errorf("NTLM over HTTP without AllowUnencrypted: %v, want the unencrypted fault", err)
		}
	})
	t.Run("Basic configured, over HTTPS", func(t *testing.T) {
		s := startServer(t, func(o *Options) { o.TLS, o.Basic = true, true })
		if got := challengeOf(t, s); strings.Join(got, ",") != `Negotiate,Basic realm="WSMAN"` {
			t.Errorf("challenge %q", got)
		}
		out, errOut, code := runPS(t, basicClient(t, s, testPass), script)
		if code != 0 || strings.TrimSpace(out) != poolFQDN {
			t.Fatalf("Basic: exit %d out %q err %q", code, out, errOut)
		}
		if _, _, _, err := basicClient(t, s, "wrong").RunPSWithString(script, ""); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("Basic with a wrong password: %v, want 401", err)
		}
	})
	t.Run("Basic over HTTP is refused at start", func(t *testing.T) {
		_, err := Start(Options{Pool: testConfig(), Users: map[string]string{testUser: testPass}, Basic: true})
		if err == nil || !strings.Contains(err.Error(), "HTTPS only") {
			t.Fatalf("Start with Basic over HTTP: %v", err)
		}
	})
}
