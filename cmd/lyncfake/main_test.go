package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

const topo = "../../topologies/embedded.yaml"

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no topology", []string{"--user", "u", "--password-file", empty}, "--topology and --user are required"},
		{"no password", []string{"--topology", topo, "--user", "u"}, "no password"},
		{"empty password file", []string{"--topology", topo, "--user", "u", "--password-file", empty}, "is empty"},
		{"bad topology", []string{"--topology", "nope.yaml", "--user", "u", "--password-file", "main.go"}, "topology"},
		{"bad fault", []string{"--topology", topo, "--user", "u", "--fault", "boom:x"}, "unknown kind"},
		{"stray argument", []string{"--topology", topo, "--user", "u", "extra"}, "unexpected argument"},
	}
	t.Setenv("LYNCFAKE_PASSWORD", "")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Fatalf("exit %d stderr %q, want 2 and %q", code, errb.String(), tc.want)
			}
		})
	}
}

func TestServeAndSIGTERM(t *testing.T) {
	t.Setenv("LYNCFAKE_PASSWORD", "env-pass")
	statePath := filepath.Join(t.TempDir(), "state.json")
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run([]string{"--listen", "127.0.0.1:0", "--topology", topo, "--user", `CONTOSO\lyncadmin`, "--state", statePath, "--allow-unencrypted",
			"--fault", "latency:Get-CsPool:1ms"}, pw, &errb)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on 127.0.0.1:") {
		t.Fatalf("first line %q: %v (stderr %s)", line, err, errb.String())
	}
	go io.Copy(io.Discard, pr)
	addr := strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	resp, err := http.Get("http://" + addr + "/state")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if st["poolFqdn"] != "pchat.contoso.test" || st["poolState"] != "Normal" {
		t.Fatalf("/state %v", st)
	}
	host, port, _ := strings.Cut(addr, ":")
	var p int
	for _, r := range port {
		p = p*10 + int(r-'0')
	}
	params := *winrm.DefaultParameters
	params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	c, _ := winrm.NewClientWithParameters(winrm.NewEndpoint(host, p, false, false, nil, nil, nil, 5*time.Second), `CONTOSO\lyncadmin`, "env-pass", &params)
	if _, errOut, code, err := c.RunPSWithString(`Set-CsPersistentChatActiveServer -Identity global -ActiveServers $Null`, ""); err != nil || code != 0 {
		t.Fatalf("winrm: %v %d %s", err, code, errOut)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no clean shutdown on SIGTERM")
	}
	raw, err := os.ReadFile(statePath)
	if err != nil || !strings.Contains(string(raw), `"activeServers": []`) {
		t.Fatalf("state file %s: %v", raw, err)
	}
}
