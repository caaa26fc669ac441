package lync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// debianPython is the interpreter Debian's python3-* modules import under
// (another python3 earlier on PATH does not see them).
const debianPython = "/usr/bin/python3"

// legacyOpenSSL turns OpenSSL 3's legacy provider on, for MD4: NTLM's
// NTOWFv2 hashes the password with it, and OpenSSL 3 ships it off.
const legacyOpenSSL = `openssl_conf = openssl_init
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

// chatServiceRE is the Identity line of the pool's service in Get-CsService's list view.
var chatServiceRE = regexp.MustCompile(`(?m)^Identity\s+: PersistentChatServer:pchat\.contoso\.test\r$`)

type pyCheck struct {
	Check   string `json:"check"`
	Status  int    `json:"status"`
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
	Cleaned string `json:"cleaned"`
}

// TestPywinrm: pywinrm, an independent client, runs run_cmd and run_ps
// against the fake with NTLM and with Basic over HTTPS: a short output, a
// cmdlet error on stderr as CLIXML (which pywinrm's own cleaner reads), an
// output longer than one Receive, and a command line over cmd.exe's limit.
func TestPywinrm(t *testing.T) {
	if _, err := os.Stat(debianPython); err != nil {
		t.Skipf("pywinrm check skipped: %s not found (install python3-winrm)", debianPython)
	}
	if out, err := exec.Command(debianPython, "-c", "import winrm").CombinedOutput(); err != nil {
		t.Skipf("pywinrm check skipped: %s cannot import winrm (apt-get install python3-winrm): %s", debianPython, bytes.TrimSpace(out))
	}
	s := startServer(t, func(o *Options) { o.TLS, o.Basic, o.AllowUnencrypted = true, true, false })
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	conf := filepath.Join(dir, "openssl.cnf")
	for name, data := range map[string][]byte{ca: s.CertificatePEM(), conf: []byte(legacyOpenSSL)} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// requests_ntlm sends the channel binding of the TLS certificate it
	// sees; an endpoint that expects another channel refuses the logon
	// (WinRM's CbtHardeningLevel Relaxed), which the passing logons above
	// then show is really checked.
	t.Run("ntlm, channel binding of another certificate", func(t *testing.T) {
		other := startServer(t, func(o *Options) { o.TLS, o.AllowUnencrypted = true, false })
		other.wsman.SetChannelBinding([]byte("tls-server-end-point:another certificate"))
		oca := filepath.Join(dir, "other-ca.pem")
		if err := os.WriteFile(oca, other.CertificatePEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, debianPython, "testdata/pywinrm_check.py", other.URL+"/wsman", oca, testUser, "ntlm")
		cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf, "PYWINRM_PASSWORD="+testPass)
		out, err := cmd.CombinedOutput()
		if err == nil || !bytes.Contains(out, []byte("InvalidCredentialsError")) {
			t.Fatalf("logon with a wrong channel binding: err %v, output %.400s", err, out)
		}
	})
	for _, transport := range []string{"ntlm", "basic"} {
		t.Run(transport, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, debianPython, "testdata/pywinrm_check.py", s.URL+"/wsman", ca, testUser, transport)
			cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf, "PYWINRM_PASSWORD="+testPass)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pywinrm: %v\n%s", err, stderr.String())
			}
			got := map[string]pyCheck{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(nil, 16<<20)
			for sc.Scan() {
				var c pyCheck
				if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
					t.Fatalf("pywinrm output %q: %v", sc.Text(), err)
				}
				got[c.Check] = c
			}
			if c := got["run_ps"]; c.Status != 0 || c.Stdout != poolFQDN+"\r\n" || c.Stderr != "" {
				t.Errorf("run_ps: %+v", c)
			}
			if c := got["run_cmd"]; c.Status != 0 || !strings.Contains(c.Stdout, "PoolState : Normal") {
				t.Errorf("run_cmd: %+v", c)
			}
			if c := got["error"]; c.Status != 1 || !strings.HasPrefix(c.Stderr, "#< CLIXML\r\n") ||
				!strings.Contains(c.Cleaned, "A parameter cannot be found that matches parameter name 'PersistentChatStore'.") ||
				!strings.Contains(c.Cleaned, "FullyQualifiedErrorId : NamedParameterNotFound") {
				t.Errorf("error: status %d cleaned %q stderr %.200q", c.Status, c.Cleaned, c.Stderr)
			}
			services := len(chatServiceRE.FindAllString(got["long output"].Stdout, -1))
			if c := got["long output"]; c.Status != 0 || len(c.Stdout) < 153600 || services != 60 {
				t.Errorf("long output: status %d, %d bytes, %d Persistent Chat services (want 60, over 153,600 bytes)", c.Status, len(c.Stdout), services)
			}
			if c := got["long command line"]; c.Status != 1 || c.Stderr != "The command line is too long.\r\n" {
				t.Errorf("long command line: %+v", c)
			}
		})
	}
}
