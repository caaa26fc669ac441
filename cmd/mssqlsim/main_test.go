package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/internal/testbin"
	"github.com/pchatdr/harness/sim/mssql"
)

const password = "Proc-Passw0rd!"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mssqlsim-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins, err := testbin.Build(dir, "cmd/mssqlsim")
	if err != nil {
		fmt.Fprintf(os.Stderr, "build mssqlsim: %v\n", err)
		os.Exit(1)
	}
	binary = bins[0]
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type proc struct {
	cmd    *exec.Cmd
	addr   string
	stderr *bytes.Buffer
}

// start runs mssqlsim on a free port and waits for its "listening on" line.
func start(t *testing.T, dataDir string) *proc {
	t.Helper()
	return startNamed(t, dataDir, "PROCSQL")
}

func (p *proc) db(t *testing.T, database string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", mssql.DSN(p.addr, "sa", password, database))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func exec1(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestCrashKeepsCommittedRows kills the process (SIGKILL, no shutdown) after
// acknowledged commits, tears the log tail as a crash mid-write would, and
// restarts on the same folder: every acknowledged row is there and the torn
// tail is cut, never applied.
func TestCrashKeepsCommittedRows(t *testing.T) {
	data := t.TempDir()
	p := start(t, data)
	db := p.db(t, "master")
	exec1(t, db, "CREATE DATABASE mgc")
	exec1(t, db, "CREATE TABLE mgc.dbo.tblChat (id int NOT NULL PRIMARY KEY, body nvarchar(100) NOT NULL)")
	const rows = 200
	for i := 1; i <= rows; i++ {
		exec1(t, db, "INSERT mgc.dbo.tblChat (id, body) VALUES (@p1, @p2)", i, fmt.Sprintf("message %d", i))
	}
	db.Close()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()

	seg := newestSegment(t, filepath.Join(data, "mgc"))
	f, err := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Half a record header of garbage: what a crash during a write leaves.
	f.Write([]byte{0x17, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe})
	f.Close()

	p2 := start(t, data)
	db2 := p2.db(t, "mgc")
	var n, sum int
	if err := db2.QueryRow("SELECT COUNT(*), SUM(id) FROM tblChat").Scan(&n, &sum); err != nil {
		t.Fatalf("after crash: %v\n%s", err, p2.stderr)
	}
	if n != rows || sum != rows*(rows+1)/2 {
		t.Fatalf("after crash: %d rows (sum %d), want %d", n, sum, rows)
	}
	exec1(t, db2, "INSERT tblChat (id, body) VALUES (@p1, N'after restart')", rows+1)
	if err := db2.QueryRow("SELECT COUNT(*) FROM tblChat").Scan(&n); err != nil || n != rows+1 {
		t.Fatalf("insert after restart: %d, %v", n, err)
	}
}

func newestSegment(t *testing.T, dir string) string {
	t.Helper()
	var segs []string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".wal") {
			segs = append(segs, path)
		}
		return nil
	})
	if len(segs) == 0 {
		t.Fatalf("no log segment under %s", dir)
	}
	sort.Strings(segs)
	return segs[len(segs)-1]
}

func TestSIGTERMShutsDownCleanly(t *testing.T) {
	p := start(t, t.TempDir())
	if err := p.db(t, "master").Ping(); err != nil {
		t.Fatal(err)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit 10s after SIGTERM")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--data", t.TempDir()}, // no password
		{"--sa-password-file", "/nonexistent", "--data", t.TempDir()},
		{"--listen", "127.0.0.1:0"}, // no data folder
	} {
		cmd := exec.Command(binary, args...)
		cmd.Env = []string{}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Errorf("%v: exit %v, want 3\n%s", args, err, out)
		}
	}
}

// TestFreeTDS: FreeTDS's tsql, an independent TDS implementation, runs a
// query and a failing query against the simulator.
func TestFreeTDS(t *testing.T) {
	tsql, err := exec.LookPath("tsql")
	if err != nil {
		t.Skip("FreeTDS tsql not installed (apt-get install freetds-bin); .ci/run installs it")
	}
	p := start(t, t.TempDir())
	host, port, _ := strings.Cut(p.addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, tsql, "-H", host, "-p", port, "-U", "sa", "-P", password)
	cmd.Stdin = strings.NewReader("SELECT 40 + 2 AS answer, N'grüß' AS word\ngo\nSELECT * FROM nosuchtable\ngo\nquit\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = append(os.Environ(), "TDSVER=7.4")
	if err := cmd.Run(); err != nil {
		t.Fatalf("tsql: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "answer") || !strings.Contains(out, "42") {
		t.Errorf("tsql output lacks the result:\n%s", out)
	}
	if !strings.Contains(stderr.String()+out, "Msg 208") || !strings.Contains(stderr.String()+out, "Invalid object name 'nosuchtable'.") {
		t.Errorf("tsql did not report error 208:\nstdout:\n%s\nstderr:\n%s", out, stderr.String())
	}
}
