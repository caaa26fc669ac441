package containers

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/microsoft/go-mssqldb"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

const testSAPassword = "Cont41ner-Sim!pw"

func openSQL(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var s string
	if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

func execSQL(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// logBuffer collects testcontainers' progress lines so the test can check
// the password never appears in them.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.WriteString(strings.TrimRight(sprintf(format, args...), "\n") + "\n")
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestTwoSimulatorsOnOneNetwork is the containers backend end to end: two
// data centers on one world network with a shared share folder, queries from
// the host, container-to-container reachability, a data-center cut and
// restore, and a restart that keeps committed rows.
func TestTwoSimulatorsOnOneNetwork(t *testing.T) {
	simImage(t)
	d := requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	nw := newNetwork(t, d, "test-two-sims")
	share := filepath.Join(t.TempDir(), "share")
	var tclog logBuffer

	start := func(name, dc string) *SQLInstance {
		t.Helper()
		began := time.Now()
		inst, err := StartSQL(ctx, SQLOptions{
			Name: name, DataCenter: dc, Network: nw, SAPassword: testSAPassword,
			Share: Mount{HostDir: share}, ServiceAccount: `CONTOSO\sqlsvc`, Logf: tclog.logf,
		})
		if err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		cleanupInstance(t, inst)
		t.Logf("%s ready in %s", inst, time.Since(began).Round(time.Millisecond))
		return inst
	}
	a := start("SQLDC1", "dc1")
	b := start("SQLDC2", "dc2")

	dbA, dbB := openSQL(t, a.DSN("master")), openSQL(t, b.DSN("master"))
	for _, c := range []struct {
		db   *sql.DB
		want string
	}{{dbA, "SQLDC1"}, {dbB, "SQLDC2"}} {
		if got := queryString(t, c.db, "SELECT @@SERVERNAME"); got != c.want {
			t.Errorf("@@SERVERNAME = %q, want %q", got, c.want)
		}
	}
	execSQL(t, dbA, "CREATE DATABASE mgc")
	dbAmgc := openSQL(t, a.DSN("mgc"))
	execSQL(t, dbAmgc, "CREATE TABLE dbo.msg (id int PRIMARY KEY, body nvarchar(100) NOT NULL)",
		"INSERT INTO dbo.msg (id, body) VALUES (1, N'before restart'), (2, N'zwei')")

	t.Run("in-network reachability", func(t *testing.T) {
		for _, c := range []struct {
			from *SQLInstance
			to   string
			want bool
		}{
			{a, b.NetworkAddr(), true},
			{b, a.NetworkAddr(), true},
			{a, "sqldc2:9999", false}, // nothing listens there
		} {
			got, err := c.from.Reaches(ctx, c.to, 2*time.Second)
			if err != nil || got != c.want {
				t.Errorf("%s reaches %s = %v, %v; want %v", c.from.Alias(), c.to, got, err, c.want)
			}
		}
	})

	t.Run("shared share", func(t *testing.T) {
		code, out, err := a.Exec(ctx, "/probe", "write", "/share/from-a.txt", "hello from dc1")
		if err != nil || code != 0 {
			t.Fatalf("write on share from a: %d %q %v", code, out, err)
		}
		code, out, err = b.Exec(ctx, "/probe", "read", "/share/from-a.txt")
		if err != nil || code != 0 || out != "hello from dc1" {
			t.Fatalf("read on share from b: %d %q %v", code, out, err)
		}
		fi, err := os.Stat(filepath.Join(share, "from-a.txt"))
		if err != nil {
			t.Fatalf("host does not see the share file: %v", err)
		}
		if uid := fileUID(fi); uid != ImageUID {
			t.Errorf("share file owned by uid %d, want %d", uid, ImageUID)
		}
	})

	t.Run("data center cut", func(t *testing.T) {
		hostB := b.HostAddr()
		before, err := b.Networks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := nw.CutDataCenter(ctx, "dc2"); err != nil {
			t.Fatal(err)
		}
		after, _ := b.Networks(ctx)
		if !contains(before, nw.Name()) || contains(after, nw.Name()) || !contains(after, "bridge") {
			t.Errorf("networks of b: before %v, after cut %v (world network %s)", before, after, nw.Name())
		}
		if ok, err := a.Reaches(ctx, b.NetworkAddr(), 2*time.Second); err != nil || ok {
			t.Errorf("a still reaches cut b: %v %v", ok, err)
		}
		if ok, err := b.Reaches(ctx, a.NetworkAddr(), 2*time.Second); err != nil || ok {
			t.Errorf("cut b still reaches a: %v %v", ok, err)
		}
		// The harness on the host is outside the failure: same published
		// port, and the connection it already had still works.
		if err := b.refreshAddr(ctx); err != nil || b.HostAddr() != hostB {
			t.Errorf("published address of b moved from %s to %s (%v)", hostB, b.HostAddr(), err)
		}
		if got := queryString(t, dbB, "SELECT @@SERVERNAME"); got != "SQLDC2" {
			t.Errorf("host path to cut b: %q", got)
		}
		if err := nw.CutDataCenter(ctx, "dc2"); err == nil {
			t.Error("cutting a cut data center succeeded")
		}
		if err := nw.RestoreDataCenter(ctx, "dc2"); err != nil {
			t.Fatal(err)
		}
		if ok, err := a.Reaches(ctx, b.NetworkAddr(), 2*time.Second); err != nil || !ok {
			t.Errorf("a does not reach restored b: %v %v", ok, err)
		}
		if err := nw.RestoreDataCenter(ctx, "dc2"); err == nil {
			t.Error("restoring an uncut data center succeeded")
		}
		if err := nw.CutDataCenter(ctx, "dc9"); err == nil {
			t.Error("cutting an empty data center succeeded")
		}
	})

	t.Run("restart keeps committed rows", func(t *testing.T) {
		began := time.Now()
		if err := a.Restart(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("restart took %s", time.Since(began).Round(time.Millisecond))
		db := openSQL(t, a.DSN("mgc")) // the published port may have moved
		if got := queryString(t, db, "SELECT body FROM dbo.msg WHERE id = 1") + "," + queryString(t, db, "SELECT body FROM dbo.msg WHERE id = 2"); got != "before restart,zwei" {
			t.Errorf("rows after restart: %q", got)
		}
	})

	t.Run("kill and start keeps committed rows", func(t *testing.T) {
		if err := b.Kill(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.Start(ctx); err != nil {
			t.Fatal(err)
		}
		db := openSQL(t, b.DSN("master"))
		if got := queryString(t, db, "SELECT @@SERVERNAME"); got != "SQLDC2" {
			t.Errorf("after kill: %q", got)
		}
	})

	t.Run("password stays out of labels and logs", func(t *testing.T) {
		for _, inst := range []*SQLInstance{a, b} {
			res, err := inst.Container().Inspect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range res.Config.Labels {
				if strings.Contains(k+v, testSAPassword) {
					t.Errorf("label %s carries the password", k)
				}
			}
			if strings.Contains(strings.Join(res.Config.Cmd, " "), testSAPassword) {
				t.Error("command line carries the password")
			}
			logs, err := inst.Logs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs, "listening on") || strings.Contains(logs, testSAPassword) {
				t.Errorf("container log: ready line missing or password present:\n%s", logs)
			}
			if strings.Contains(inst.String(), testSAPassword) {
				t.Error("String() carries the password")
			}
		}
		if l := tclog.String(); l == "" || strings.Contains(l, testSAPassword) {
			t.Errorf("testcontainers log empty or carries the password:\n%s", l)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BenchmarkStartTime compares a simulator container's start (image
// cached; volume, network attach and readiness included) with an
// in-process instance's, side by side in one run (make bench): a figure
// for the report, not a test. Terminating each container is outside the
// timer.
func BenchmarkStartTime(b *testing.B) {
	if testing.Short() {
		b.Skip("starts containers")
	}
	ctx := context.Background()
	d, err := Connect(ctx)
	if errors.Is(err, ErrNoDocker) {
		b.Skipf("no Docker daemon: %v", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.EnsureImage(ctx, SimulatorSpec, BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	nw, err := d.NewNetwork(ctx, "bench-start-time")
	if err != nil {
		b.Fatal(err)
	}
	defer nw.Remove(context.Background())
	b.Run("container", func(b *testing.B) {
		for b.Loop() {
			inst, err := StartSQL(ctx, SQLOptions{Name: "SQLTIME", Network: nw, SAPassword: testSAPassword})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := inst.Terminate(ctx); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
	b.Run("in-process", func(b *testing.B) {
		for b.Loop() {
			srv, err := mssql.Start(mssql.Config{Engine: engine.Config{Name: "SQLTIME", DataDir: b.TempDir(), SAPassword: testSAPassword}})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			if err := srv.Close(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}
