package tds

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestFreeTDS logs in with FreeTDS tsql (TDS 7.4, FreeTDS's own PRELOGIN
// and LOGIN7) and runs a batch and an error; skipped where tsql is absent.
func TestFreeTDS(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("tsql (freetds-bin) not installed")
	}
	addr, rec := startServer(t)
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tsql, "-H", host, "-p", port, "-U", "sa", "-P", "pw", "-D", "master", "-o", "q")
	cmd.Env = append(cmd.Environ(), "TDSVER=7.4")
	cmd.Stdin = strings.NewReader("SELECT multi\ngo\nSELECT err\ngo\nSELECT alltypes\ngo\nexit\n")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Logf("tsql: %v", err)
	}
	out, errOut := stdout.String(), stderr.String()
	for _, want := range []string{"1\n", "2\n", "x\n", "1234567890123456789012345", "-12345.678",
		"6F9619FF-8B86-D011-B42D-00C04FC964FF", "70000", "1099511627776", "café", "héllo"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "Msg 50000 (severity 16, state 2) from SIMSRV") || !strings.Contains(errOut, "boom") {
		t.Errorf("stderr lacks the error:\n%s", errOut)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.logins) != 1 || rec.logins[0].LibName != "TDS-Library" || rec.logins[0].TDSVersion != VerTDS74 {
		t.Errorf("logins %v", rec.logins)
	}
	var sqls []string
	for _, r := range rec.requests {
		sqls = append(sqls, r.SQL)
	}
	t.Logf("batches: %q", sqls)
}
