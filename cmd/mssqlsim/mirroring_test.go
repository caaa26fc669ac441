package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mssqldb "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/sim/mssql/engine"
)

// startNamed runs mssqlsim with a server name and extra flags.
func startNamed(t *testing.T, dataDir, name string, extra ...string) *proc {
	t.Helper()
	pwFile := filepath.Join(t.TempDir(), "sa.pw")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--listen", "127.0.0.1:0", "--data", dataDir, "--name", name, "--sa-password-file", pwFile}, extra...)
	cmd := exec.Command(binary, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening on ") {
		t.Fatalf("mssqlsim %s did not start: %q %v\n%s", name, line, err, p.stderr)
	}
	p.addr = strings.TrimSpace(strings.TrimPrefix(line, "listening on "))
	return p
}

// freePort finds a loopback port nobody listens on (for LISTENER_PORT).
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startEndpoint creates the mirroring endpoint on a free port and returns
// the port. The port freePort found may be taken before the server binds
// it (the machine runs other tests: the server then refuses with its
// 7862-style "may be bound" error), so a few ports are tried.
func startEndpoint(t *testing.T, db *sql.DB) int {
	t.Helper()
	const endpoint = `CREATE ENDPOINT Mirroring STATE = STARTED AS TCP (LISTENER_PORT = %d) FOR DATABASE_MIRRORING (ROLE = PARTNER)`
	var err error
	for range 5 {
		port := freePort(t)
		q := fmt.Sprintf(endpoint, port)
		if _, err = db.ExecContext(context.Background(), q); err == nil {
			return port
		}
		if !strings.Contains(err.Error(), "may be bound") {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Fatalf("CREATE ENDPOINT on five free ports: %v", err)
	return 0
}

func query1(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRowContext(context.Background(), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// waitFor re-reads q until it returns want (the partners are separate
// processes: there is no state change to subscribe to).
func waitFor(t *testing.T, db *sql.DB, q, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var got string
	for time.Now().Before(deadline) {
		if err := db.QueryRowContext(context.Background(), q).Scan(&got); err == nil && got == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: %q, want %q", q, got, want)
}

func sqlErrNumbers(err error) []int32 {
	var e mssqldb.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []int32
	for _, x := range e.All {
		if x.Class > 10 {
			out = append(out, x.Number)
		}
	}
	return out
}

const mirrorState = `SELECT ISNULL(m.mirroring_role_desc, 'NONE') + '/' + ISNULL(m.mirroring_state_desc, 'NONE') + '/' + d.state_desc
	FROM sys.database_mirroring m JOIN sys.databases d ON d.database_id = m.database_id WHERE d.name = 'mgc'`

// TestTwoProcessMirroring: two mssqlsim processes mirror mgc over their
// endpoints (seeded by a real BACKUP / RESTORE ... WITH NORECOVERY through a
// shared folder); rows inserted on the principal are on the mirror after a
// failover; SET PARTNER OFF leaves the former mirror RESTORING.
func TestTwoProcessMirroring(t *testing.T) {
	share := t.TempDir()
	common := []string{
		"--partner-host", "sqlprimary.contoso.test=127.0.0.1",
		"--partner-host", "sqlmirror.contoso.test=127.0.0.1",
		"--mount", `\\files.contoso.test\share=` + share,
		"--access", `*:rw:\\files.contoso.test\share`,
	}
	p := startNamed(t, t.TempDir(), "SQLPRIMARY", common...)
	m := startNamed(t, t.TempDir(), "SQLMIRROR", common...)
	pdb, mdb := p.db(t, "master"), m.db(t, "master")
	pdb.SetMaxOpenConns(1)
	mdb.SetMaxOpenConns(1)
	pPort, mPort := startEndpoint(t, pdb), startEndpoint(t, mdb)
	if got := query1(t, mdb, `SELECT role_desc + '/' + state_desc FROM sys.database_mirroring_endpoints`); got != "PARTNER/STARTED" {
		t.Fatalf("endpoint %s", got)
	}

	exec1(t, pdb, `CREATE DATABASE mgc`)
	exec1(t, pdb, `CREATE TABLE mgc.dbo.msg (id int PRIMARY KEY, body nvarchar(50))`)
	exec1(t, pdb, `INSERT INTO mgc.dbo.msg VALUES (1, N'before backup'), (2, N'before backup')`)
	bak := `\\files.contoso.test\share\mgc.bak`
	exec1(t, pdb, `BACKUP DATABASE mgc TO DISK = N'`+bak+`' WITH INIT`)
	exec1(t, pdb, `INSERT INTO mgc.dbo.msg VALUES (3, N'after backup')`)
	exec1(t, pdb, `BACKUP LOG mgc TO DISK = N'`+bak+`'`)
	exec1(t, mdb, `RESTORE DATABASE mgc FROM DISK = N'`+bak+`' WITH FILE = 1, NORECOVERY`)
	exec1(t, mdb, `RESTORE LOG mgc FROM DISK = N'`+bak+`' WITH FILE = 2, NORECOVERY`)

	principalName := fmt.Sprintf("TCP://sqlprimary.contoso.test:%d", pPort)
	mirrorName := fmt.Sprintf("TCP://sqlmirror.contoso.test:%d", mPort)
	// Wrong order first: the principal before the mirror named it.
	if _, err := pdb.Exec(`ALTER DATABASE mgc SET PARTNER = '` + mirrorName + `'`); !equal(sqlErrNumbers(err), 1416, 5069) {
		t.Fatalf("principal first: %v", err)
	}
	exec1(t, mdb, `ALTER DATABASE mgc SET PARTNER = '`+principalName+`'`)
	exec1(t, pdb, `ALTER DATABASE mgc SET PARTNER = '`+mirrorName+`'`)
	waitFor(t, pdb, mirrorState, "PRINCIPAL/SYNCHRONIZED/ONLINE")
	waitFor(t, mdb, mirrorState, "MIRROR/SYNCHRONIZED/RESTORING")

	for i := 4; i <= 30; i++ {
		exec1(t, pdb, fmt.Sprintf(`INSERT INTO mgc.dbo.msg VALUES (%d, N'mirrored')`, i))
	}
	if _, err := mdb.Exec(`SELECT COUNT(*) FROM mgc.dbo.msg`); !equal(sqlErrNumbers(err), 954) {
		t.Fatalf("reading the mirror: %v", err)
	}
	if _, err := mdb.Exec(`BACKUP DATABASE mgc TO DISK = N'\\files.contoso.test\share\mirror.bak'`); err == nil {
		t.Fatal("BACKUP of a mirror database succeeded")
	}
	if _, err := pdb.Exec(`RESTORE DATABASE mgc FROM DISK = N'` + bak + `' WITH REPLACE`); !equal(sqlErrNumbers(err), 3104, 3013) {
		t.Fatalf("RESTORE over a mirrored database: %v", err)
	}

	exec1(t, pdb, `ALTER DATABASE mgc SET PARTNER FAILOVER`)
	waitFor(t, mdb, mirrorState, "PRINCIPAL/SYNCHRONIZED/ONLINE")
	if got := query1(t, mdb, `SELECT CAST(COUNT(*) AS varchar(10)) + '/' + CAST(MAX(id) AS varchar(10)) FROM mgc.dbo.msg`); got != "30/30" {
		t.Fatalf("rows on the new principal: %s, want 30/30", got)
	}
	waitFor(t, pdb, mirrorState, "MIRROR/SYNCHRONIZED/RESTORING")

	// Remove mirroring on the new principal: the former principal (now
	// mirror) stays RESTORING with its mirroring columns NULL.
	exec1(t, mdb, `ALTER DATABASE mgc SET PARTNER OFF`)
	waitFor(t, pdb, mirrorState, "NONE/NONE/RESTORING")
	if _, err := pdb.Exec(`ALTER DATABASE mgc SET PARTNER OFF`); !equal(sqlErrNumbers(err), 1416, 5069) {
		t.Fatalf("PARTNER OFF on the former mirror: %v", err)
	}
	if _, err := pdb.Exec(`USE mgc`); !equal(sqlErrNumbers(err), 927) {
		t.Fatalf("USE on the former mirror: %v", err)
	}
	exec1(t, mdb, `INSERT INTO mgc.dbo.msg VALUES (100, N'after removal')`)
}

func equal(got []int32, want ...int32) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// TestMirrorFlags checks the partner-host and endpoint flags.
func TestMirrorFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr bool
		want    map[string]string
	}{
		{"host", []string{"--partner-host", "a.contoso.test=127.0.0.1"}, false, map[string]string{"a.contoso.test": "127.0.0.1"}},
		{"host port", []string{"--partner-host", "a.contoso.test:5022=127.0.0.1:15022"}, false, map[string]string{"a.contoso.test:5022": "127.0.0.1:15022"}},
		{"not loopback", []string{"--partner-host", "a=10.0.0.1"}, true, nil},
		{"over the link from a container", []string{"--endpoint-public", "--partner-host", "a.contoso.test:5022=172.18.0.1:40123"}, false, map[string]string{"a.contoso.test:5022": "172.18.0.1:40123"}},
		{"not an IP from a container", []string{"--endpoint-public", "--partner-host", "a=gateway"}, true, nil},
		{"no equals", []string{"--partner-host", "a"}, true, nil},
		{"endpoint listen", []string{"--endpoint-listen", "127.0.0.1:0"}, false, nil},
		{"endpoint not loopback", []string{"--endpoint-listen", "0.0.0.0:5022"}, true, nil},
		{"endpoint public", []string{"--endpoint-listen", "0.0.0.0:5022", "--endpoint-public"}, false, nil},
		{"endpoint not an IP", []string{"--endpoint-listen", "sql:5022", "--endpoint-public"}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			f := addMirrorFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			var cfg engine.Config
			err := f.apply(&cfg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error %v", err, tc.wantErr)
			}
			for k, v := range tc.want {
				if cfg.PartnerHosts[k] != v {
					t.Fatalf("PartnerHosts[%s] = %q, want %q", k, cfg.PartnerHosts[k], v)
				}
			}
		})
	}
}
