package tds

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestFreeTDSOlderVersions logs in with FreeTDS tsql at TDS 7.1 (SQL
// Server 2000's LOGIN7: an 86-byte header, no ALL_HEADERS) and 7.2 (SQL
// Server 2005: no date/time types) and reads every column type: the server
// answers in the client's version, as SQL Server does (date and time types
// as nvarchar below 7.3, (MAX) types as ntext/text/image below 7.2).
func TestFreeTDSOlderVersions(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("tsql (freetds-bin) not installed")
	}
	addr, rec := startServerWith(t, Options{ServerName: "SIMSRV", Logf: t.Logf})
	host, port, _ := net.SplitHostPort(addr)
	for _, v := range []struct {
		tdsver string
		want   uint32
	}{{"7.1", VerTDS71}, {"7.2", VerTDS72}} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, tsql, "-H", host, "-p", port, "-U", "sa", "-P", "pw", "-o", "q")
		cmd.Env = append(cmd.Environ(), "TDSVER="+v.tdsver)
		cmd.Stdin = strings.NewReader("SELECT multi\ngo\nSELECT alltypes\ngo\nexit\n")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Logf("tsql %s: %v", v.tdsver, err)
		}
		cancel()
		out := stdout.String()
		for _, want := range []string{"2\n", "1234567890123456789012345", "café", "2024-03-05 10:20:30.1234567", "2024-03-05\t", "αβγ-αβγ-"} {
			if !strings.Contains(out, want) {
				t.Errorf("TDS %s: stdout lacks %q:\n%.300s\nstderr:\n%.300s", v.tdsver, want, out, stderr.String())
			}
		}
		rec.mu.Lock()
		if n := len(rec.logins); n == 0 || rec.logins[n-1].TDSVersion != v.want {
			t.Errorf("TDS %s: logins %v", v.tdsver, rec.logins)
		}
		rec.mu.Unlock()
	}
}
